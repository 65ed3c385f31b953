using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ContentApi.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Webhooks;

internal sealed class WebhookOptions
{
    /// <summary>Lets webhooks reach loopback, private and link-local addresses (a receiver on the same network; tests).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>
    /// The longest an instance waits before it looks for due deliveries again, when neither a
    /// notification nor the next delivery coming due ends the wait sooner.
    /// </summary>
    public int PollIntervalMilliseconds { get; set; } = 10_000;

    /// <summary>A receiver answers within this or the attempt fails.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The first retry's delay; each next one doubles (at most an hour), ±50% jitter.</summary>
    public int RetryBaseMilliseconds { get; set; } = 5000;

    /// <summary>How long a delivery is retried before it is marked failed.</summary>
    public int RetryForHours { get; set; } = 24;

    /// <summary>A subscription is disabled after this many failed attempts in a row.</summary>
    public int DisableAfterFailures { get; set; } = 50;

    /// <summary>Deliveries an instance sends at once.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>A delivered or failed delivery leaves the log this long after its last attempt (<see cref="WebhookDeliveryRetention"/>).</summary>
    public int DeliveryRetentionDays { get; set; } = 30;
}

/// <summary>
/// Sends due webhook deliveries (migration 0015). Every instance runs one: each claims a batch
/// with FOR UPDATE SKIP LOCKED and leases it (next_attempt_at moves past the timeout) before
/// sending, so two instances never send one delivery at once and a crashed instance's claims
/// come due again. Each attempt is recorded: delivered, or retried with backoff, or failed
/// after RetryForHours; a subscription that keeps failing is disabled.
/// </summary>
internal sealed class WebhookDispatcher : BackgroundService
{
    private readonly NpgsqlDataSource db;
    private readonly UnpooledConnections unpooled;
    private readonly WebhookOptions options;
    private readonly ILogger<WebhookDispatcher> logger;
    private readonly HttpClient http;

    public WebhookDispatcher(NpgsqlDataSource db, UnpooledConnections unpooled, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger)
    {
        this.db = db;
        this.unpooled = unpooled;
        this.options = options.Value;
        this.logger = logger;
        var allowPrivate = this.options.AllowPrivateTargets;
        http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => WebhookTargets.ConnectAsync(context, allowPrivate, cancellationToken),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("ContentApi-Webhooks/1.0");
    }

    private sealed record Claimed(long Id, long SubscriptionId, string MessageId, string Payload, int Attempts, string Url, byte[] Secret);

    private sealed record Attempt(int? Status, string? Error)
    {
        public bool Delivered => Status is >= 200 and < 300;
    }

    private const string ClaimSql = """
        with due as (
            select d.id from webhook_deliveries d join webhook_subscriptions s on s.id = d.subscription_id
            where d.status = 'pending' and d.next_attempt_at <= now() and s.enabled
            order by d.next_attempt_at, d.id
            limit @batch
            for update of d skip locked)
        update webhook_deliveries d
        set next_attempt_at = now() + make_interval(secs => @leaseSeconds), attempts = d.attempts + 1, last_attempt_at = now()
        from due, webhook_subscriptions s
        where d.id = due.id and s.id = d.subscription_id
        returning d.id, d.subscription_id, d.message_id, d.payload::text as payload, d.attempts, s.url, s.secret;
        """;

    // After a claim: how long until the next pending delivery of an enabled subscription comes due
    // (a retry, or a claim whose lease ran out), in milliseconds; no row when none waits.
    private const string NextDueSql = """
        select ceil(extract(epoch from d.next_attempt_at - clock_timestamp()) * 1000)::bigint
        from webhook_deliveries d join webhook_subscriptions s on s.id = d.subscription_id
        where d.status = 'pending' and s.enabled
        order by d.next_attempt_at
        limit 1
        """;

    // The database away: looked for again this often.
    private const int RetryAfterFailureMilliseconds = 1000;

    private const string DeliveredSql = """
        update webhook_deliveries set status = 'delivered', delivered_at = now(), last_status = @status, last_error = null where id = @id;
        update webhook_subscriptions set consecutive_failures = 0 where id = @subscriptionId and consecutive_failures <> 0;
        """;

    private const string FailedSql = """
        update webhook_deliveries
        set last_status = @status, last_error = left(@error, 500), next_attempt_at = now() + make_interval(secs => @delaySeconds),
            status = case when created_at < now() - make_interval(hours => @retryForHours) then 'failed' else 'pending' end
        where id = @id;
        update webhook_subscriptions
        set consecutive_failures = consecutive_failures + 1,
            enabled = consecutive_failures + 1 < @disableAfter,
            disabled_reason = case when consecutive_failures + 1 >= @disableAfter
                                   then format('Disabled after %s failed attempts in a row; the last: %s', consecutive_failures + 1, left(@error, 300)) end
        where id = @subscriptionId and enabled;
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var (sent, wait) = (0, RetryAfterFailureMilliseconds);
            try
            {
                (sent, var nextDue) = await DispatchBatchAsync(stoppingToken);
                wait = WaitMilliseconds(nextDue);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                if (!failing)
                {
                    logger.LogWarning("Webhook deliveries wait: the database is unavailable ({Reason})", exception.Message);
                }

                failing = true;
            }

            // Something sent: look again at once (more may be due, and its retries are known only
            // now). Nothing: wait for a change (the outbox notifies on commit, and so do a
            // redelivery and a subscription enabled again: migration 0027) or the next due delivery.
            if (sent == 0)
            {
                try
                {
                    await WaitForChangeAsync(wait, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private NpgsqlConnection? listener;

    // Until the next delivery is due (a few ms more, so that the claim's now() has passed it), at
    // most the poll interval, and never 0 (Npgsql's "forever").
    private int WaitMilliseconds(long? nextDueMilliseconds) =>
        (int)Math.Clamp(nextDueMilliseconds is { } due ? due + 5 : long.MaxValue, 10, options.PollIntervalMilliseconds);

    private async Task WaitForChangeAsync(int milliseconds, CancellationToken stoppingToken)
    {
        try
        {
            if (listener is null)
            {
                // A connection of its own stays open, listening, for the life of the instance.
                var connection = unpooled.Create("webhooks");
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand("listen content_outbox; listen webhook_deliveries", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // What became due before it listened was not heard: the caller looks at once.
                listener = connection;
                return;
            }

            await listener.WaitAsync(milliseconds, stoppingToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or System.IO.IOException)
        {
            // Polling until it can listen again.
            await DropListenerAsync();
            await Task.Delay(Math.Min(milliseconds, RetryAfterFailureMilliseconds), stoppingToken);
        }
    }

    private async Task DropListenerAsync()
    {
        if (listener is not null)
        {
            await listener.DisposeAsync();
            listener = null;
        }
    }

    /// <summary>Sends and records a batch of due deliveries; with the time until the next comes due, as it was before these were sent.</summary>
    private async Task<(int Sent, long? NextDueMilliseconds)> DispatchBatchAsync(CancellationToken stoppingToken)
    {
        List<Claimed> claimed;
        long? nextDue;
        await using (var connection = await db.OpenConnectionAsync(stoppingToken))
        await using (var results = await connection.QueryMultipleAsync(new CommandDefinition(ClaimSql + NextDueSql,
            new { batch = options.BatchSize, leaseSeconds = options.TimeoutSeconds + 30 }, cancellationToken: stoppingToken)))
        {
            claimed = (await results.ReadAsync<Claimed>()).AsList();
            nextDue = await results.ReadSingleOrDefaultAsync<long?>();
        }

        await Task.WhenAll(claimed.Select(async delivery =>
        {
            var attempt = await SendAsync(delivery, stoppingToken);
            await RecordAsync(delivery, attempt, stoppingToken);
        }));
        return (claimed.Count, nextDue);
    }

    private async Task<Attempt> SendAsync(Claimed delivery, CancellationToken stoppingToken)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.MessageId);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", Signature(delivery.Secret, delivery.MessageId, timestamp, delivery.Payload));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return new Attempt(status, status is >= 200 and < 300 ? null : $"the receiver answered {status}");
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new Attempt(null, $"no answer within {options.TimeoutSeconds} s");
        }
        catch (HttpRequestException exception) when (exception.InnerException is WebhookTargetRefusedException refused)
        {
            return new Attempt(null, $"refused: {refused.Message}");
        }
        catch (HttpRequestException exception)
        {
            return new Attempt(null, exception.InnerException is SocketException socket ? $"cannot connect: {socket.SocketErrorCode}" : exception.Message);
        }
    }

    /// <summary>Standard Webhooks: v1, base64 HMAC-SHA256 of "id.timestamp.body" with the secret's bytes.</summary>
    public static string Signature(byte[] secret, string messageId, string timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}")));

    private async Task RecordAsync(Claimed delivery, Attempt attempt, CancellationToken stoppingToken)
    {
        await using var connection = await db.OpenConnectionAsync(stoppingToken);
        if (attempt.Delivered)
        {
            await connection.ExecuteAsync(new CommandDefinition(DeliveredSql,
                new { id = delivery.Id, subscriptionId = delivery.SubscriptionId, status = attempt.Status }, cancellationToken: stoppingToken));
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition(FailedSql, new
        {
            id = delivery.Id,
            subscriptionId = delivery.SubscriptionId,
            status = attempt.Status,
            error = attempt.Error,
            delaySeconds = RetryDelay(delivery.Attempts).TotalSeconds,
            retryForHours = options.RetryForHours,
            disableAfter = options.DisableAfterFailures,
        }, cancellationToken: stoppingToken));
    }

    private TimeSpan RetryDelay(int attempts)
    {
        var exponential = options.RetryBaseMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 20));
        return TimeSpan.FromMilliseconds(Math.Min(exponential, TimeSpan.FromHours(1).TotalMilliseconds) * (0.5 + Random.Shared.NextDouble()));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await DropListenerAsync();
    }

    public override void Dispose()
    {
        http.Dispose();
        listener?.Dispose();
        base.Dispose();
    }
}

internal static class WebhookServices
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks")
            .Validate(o => o.PollIntervalMilliseconds is >= 10 and <= 60_000 && o.TimeoutSeconds is >= 1 and <= 60
                           && o.RetryBaseMilliseconds is >= 10 and <= 3_600_000 && o.RetryForHours is >= 1 and <= 168
                           && o.DisableAfterFailures >= 1 && o.BatchSize is >= 1 and <= 100 && o.DeliveryRetentionDays is >= 1 and <= 3650,
                "Webhooks: PollIntervalMilliseconds 10–60000, TimeoutSeconds 1–60, RetryBaseMilliseconds 10–3600000, RetryForHours 1–168, DisableAfterFailures ≥ 1, BatchSize 1–100, DeliveryRetentionDays 1–3650.")
            .ValidateOnStart();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHostedService<WebhookDeliveryRetention>();
        return services;
    }
}
