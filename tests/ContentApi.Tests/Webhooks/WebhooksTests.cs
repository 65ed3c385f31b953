using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using ContentApi.Webhooks;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ContentApi.Tests.Webhooks;

/// <summary>
/// Subscriptions, signed deliveries, retries, automatic disabling, redelivery, the SSRF guard
/// and two instances sharing the work, against receivers on loopback. Its own database: every
/// API host on a database runs a dispatcher, and only these may send its deliveries.
/// </summary>
public sealed class WebhooksTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ContentApiFixture app = new();

    public ValueTask InitializeAsync()
    {
        app.SettingOverrides["Webhooks:AllowPrivateTargets"] = "true"; // the receivers are on loopback
        // Nothing here waits for a poll: every delivery goes out on a notification (a change, a
        // redelivery, a subscription enabled again) or when it comes due (a retry).
        app.SettingOverrides["Webhooks:PollIntervalMilliseconds"] = "60000";
        app.SettingOverrides["Webhooks:RetryBaseMilliseconds"] = "200";
        app.SettingOverrides["Webhooks:TimeoutSeconds"] = "1";
        app.SettingOverrides["Webhooks:DisableAfterFailures"] = "4";
        return app.InitializeAsync();
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<HttpClient> ManagerAsync(WebApplicationFactory<Program>? host = null)
    {
        var client = (host ?? app).CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.WebhooksManage));
        return client;
    }

    private static async Task<CreatedWebhook> SubscribeAsync(HttpClient manager, string url, params string[] events)
    {
        var response = await manager.PostAsJsonAsync("/v1/webhooks", new { url, events }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.ReadContractAsync<CreatedWebhook>();
    }

    private static async Task<List<WebhookDelivery>> DeliveriesAsync(HttpClient manager, long id) =>
        [.. (await (await manager.GetAsync($"/v1/webhooks/{id}/deliveries?pageSize=100", Ct)).ReadContractAsync<Paged<WebhookDelivery>>()).Items];

    private Task<long> PublishAsync(string prefix = "hooked") => app.Database.InsertArticleAsync(TestDatabase.UniqueSlug(prefix));

    [Fact]
    public async Task An_event_arrives_signed_so_that_the_secret_verifies_it_and_the_log_says_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var manager = await ManagerAsync();
        var created = await SubscribeAsync(manager, receiver.Url, "article.published");

        var articleId = await PublishAsync();
        await app.Database.ExecuteAsync("update tags set name = name || '!' where id = (select min(id) from tags)"); // not subscribed
        var received = await Eventually.ReadAsync(() => Task.FromResult(receiver.Requests.ToList()), r => r.Count > 0);
        var log = await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id), d => d.Count > 0 && d[0].Status == "delivered");

        var request = Assert.Single(received);
        var key = Convert.FromBase64String(created.Secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}")));
        Assert.Equal(expected, request.Signature);
        Assert.InRange(long.Parse(request.Timestamp!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var payload = JsonNode.Parse(request.Body)!;
        Assert.Equal("article.published", (string?)payload["type"]);
        Assert.Equal(articleId, (long)payload["data"]!["id"]!);
        var delivery = Assert.Single(log);
        Assert.Equal(request.Id, delivery.MessageId);
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(204, delivery.LastStatus);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receiver_that_fails_then_times_out_gets_retries_with_the_same_webhook_id_until_it_recovers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = async (_, before) =>
        {
            if (before == 1)
            {
                await Task.Delay(2500); // past the 1 s timeout
            }

            return before < 2 ? 500 : 200;
        };
        var manager = await ManagerAsync();
        var created = await SubscribeAsync(manager, receiver.Url, "*");

        await PublishAsync("retried");
        var log = await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id),
            d => d.Count > 0 && d.All(x => x.Status == "delivered"), seconds: 30);

        Assert.NotEmpty(log);
        Assert.All(log, d => Assert.Equal(3, d.Attempts));
        Assert.All(log, d => Assert.Equal(3, receiver.Requests.Count(r => r.Id == d.MessageId)));
        var times = receiver.Requests.Where(r => r.Id == log[0].MessageId).Select(r => r.At).ToList();
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(100), "the retry waited its backoff");
    }

    [Fact]
    public async Task A_subscription_that_keeps_failing_is_disabled_then_resumed_and_its_waiting_deliveries_go_out()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(503);
        var manager = await ManagerAsync();
        var created = await SubscribeAsync(manager, receiver.Url, "article.published");

        await PublishAsync("failing");
        var disabled = await Eventually.ReadAsync(
            async () => await (await manager.GetAsync($"/v1/webhooks/{created.Subscription.Id}", Ct)).ReadContractAsync<WebhookSubscription>(),
            s => !s.Enabled, seconds: 30);
        var version = (await manager.GetAsync($"/v1/webhooks/{created.Subscription.Id}", Ct)).Headers.ETag!.ToString();
        receiver.Respond = (_, _) => Task.FromResult(200);
        using var resume = new HttpRequestMessage(HttpMethod.Patch, $"/v1/webhooks/{created.Subscription.Id}") { Content = JsonContent.Create(new { enabled = true }) };
        resume.Headers.TryAddWithoutValidation("If-Match", version);
        var resumed = await manager.SendAsync(resume, Ct);
        var log = await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id), d => d.Count > 0 && d[0].Status == "delivered");

        Assert.False(disabled.Enabled);
        Assert.Equal(4, disabled.ConsecutiveFailures);
        Assert.Contains("503", disabled.DisabledReason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var subscription = await resumed.ReadContractAsync<WebhookSubscription>();
        Assert.True(subscription.Enabled);
        Assert.Null(subscription.DisabledReason);
        Assert.Equal("delivered", Assert.Single(log).Status);
        Assert.Equal(5, log[0].Attempts);
    }

    [Fact]
    public async Task Redelivery_sends_a_delivered_event_again_with_the_same_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var manager = await ManagerAsync();
        var created = await SubscribeAsync(manager, receiver.Url, "article.published");
        await PublishAsync("redelivered");
        var first = (await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id), d => d.Count > 0 && d[0].Status == "delivered"))[0];

        var again = await manager.PostAsync($"/v1/webhooks/{created.Subscription.Id}/deliveries/{first.Id}/redeliver", null, Ct);
        var received = await Eventually.ReadAsync(() => Task.FromResult(receiver.Requests.Count(r => r.Id == first.MessageId)), n => n == 2);
        var missing = await manager.PostAsync($"/v1/webhooks/{created.Subscription.Id}/deliveries/{first.Id + 1000}/redeliver", null, Ct);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("pending", (await again.ReadContractAsync<WebhookDelivery>()).Status);
        Assert.Equal(2, received);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deliveries_leave_the_log_their_retention_after_their_last_attempt_and_pending_ones_stay()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var manager = await ManagerAsync();
        var created = await SubscribeAsync(manager, receiver.Url, "article.published");
        for (var i = 0; i < 5; i++)
        {
            await PublishAsync("retained");
        }

        var ids = (await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id), d => d.Count == 5 && d.All(x => x.Status == "delivered")))
            .Select(d => d.Id).Order().ToArray();
        // By age (created, last attempt, in days): delivered 31 and 31, failed 40 and 31 (both
        // past 30 days); redelivered 40 and 2, delivered 29 and 29; and pending for 40 (its retry
        // due next year), however old.
        await app.Database.ExecuteAsync(
            """
            update webhook_deliveries d
            set status = a.status, created_at = now() - a.created * interval '1 day', last_attempt_at = now() - a.attempted * interval '1 day',
                next_attempt_at = now() + interval '1 year'
            from unnest(@ids, array['delivered', 'failed', 'delivered', 'delivered', 'pending'], array[31, 40, 40, 29, 40], array[31, 31, 2, 29, 40])
                as a(id, status, created, attempted)
            where d.id = a.id
            """,
            new { ids });

        await using var pruning = app.WithWebHostBuilder(b => b.UseSetting("Retention:IntervalSeconds", "1").UseSetting("Webhooks:DeliveryRetentionDays", "30"));
        _ = pruning.CreateClient(); // starts its retention
        var log = await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id), d => d.Count <= 3);

        Assert.Equal(ids[2..], log.Select(d => d.Id).Order());
    }

    [Fact]
    public async Task Two_instances_share_the_deliveries_and_send_each_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var first = app.WithWebHostBuilder(_ => { });
        await using var second = app.WithWebHostBuilder(_ => { });
        var manager = await ManagerAsync(first);
        _ = second.CreateClient(); // starts its dispatcher
        var created = await SubscribeAsync(manager, receiver.Url, "article.published");

        for (var i = 0; i < 30; i++)
        {
            await PublishAsync("shared");
        }

        var log = await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id), d => d.Count == 30 && d.All(x => x.Status == "delivered"), seconds: 30);

        Assert.Equal(30, log.Count);
        Assert.All(log, d => Assert.Equal(1, d.Attempts));
        Assert.Equal(30, receiver.Requests.Count);
        Assert.Equal(30, receiver.Requests.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Without_private_targets_a_loopback_url_is_refused_and_a_name_that_resolves_to_one_is_refused_at_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host: System.Net.Dns.GetHostName());
        await using var guarded = app.WithWebHostBuilder(b => b.UseSetting("Webhooks:AllowPrivateTargets", "false"));
        var manager = await ManagerAsync(guarded);
        var addresses = await System.Net.Dns.GetHostAddressesAsync(System.Net.Dns.GetHostName(), Ct);

        var literal = await manager.PostAsJsonAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "*" } }, Ct);
        var localhost = await manager.PostAsJsonAsync("/v1/webhooks", new { url = "http://localhost:9/hook", events = new[] { "*" } }, Ct);
        var metadata = await manager.PostAsJsonAsync("/v1/webhooks", new { url = "http://169.254.169.254/latest/meta-data", events = new[] { "*" } }, Ct);
        var created = await SubscribeAsync(manager, receiver.Url, "article.published");
        await PublishAsync("guarded");
        var log = await Eventually.ReadAsync(() => DeliveriesAsync(manager, created.Subscription.Id), d => d.Count > 0 && d[0].LastError is not null);

        Assert.All(addresses, a => Assert.False(WebhookTargets.IsPublic(a), $"this machine's name resolves to {a}, a public address: the test needs a private one"));
        await literal.AssertValidationProblemAsync("url");
        await localhost.AssertValidationProblemAsync("url");
        await metadata.AssertValidationProblemAsync("url");
        Assert.StartsWith("refused:", log[0].LastError, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("""{"url":"ftp://hooks.example.org/x","events":["*"]}""", "url")]
    [InlineData("""{"url":"/relative","events":["*"]}""", "url")]
    [InlineData("""{"url":"https://user:pass@hooks.example.org/x","events":["*"]}""", "url")]
    [InlineData("""{"url":"https://hooks.example.org/x","events":[]}""", "events")]
    [InlineData("""{"url":"https://hooks.example.org/x","events":["article.eaten"]}""", "events")]
    [InlineData("""{"url":"https://hooks.example.org/x","events":["*","*"]}""", "events")]
    [InlineData("""{"url":"https://hooks.example.org/x","events":["*"],"secret":"whsec_short"}""", "secret")]
    [InlineData("""{"url":"https://hooks.example.org/x","events":["*"],"description":"bell\u0007"}""", "description")]
    public async Task Bad_subscriptions_are_400s_that_name_the_field(string body, string field)
    {
        var manager = await ManagerAsync();

        var response = await manager.PostAsync("/v1/webhooks", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task The_subscriptions_walk_by_cursor_and_by_page_number_in_creation_order()
    {
        var manager = await ManagerAsync();
        var ids = new List<long>();
        for (var n = 0; n < 5; n++)
        {
            ids.Add((await SubscribeAsync(manager, $"https://hooks.example.org/walk/{n}", "*")).Subscription.Id);
        }

        async Task<Paged<WebhookSubscription>> PageAsync(string url) => await (await manager.GetAsync(url, Ct)).ReadContractAsync<Paged<WebhookSubscription>>();
        var walked = new List<long>();
        for (string? next = "/v1/webhooks?pageSize=2"; next is not null;)
        {
            var page = await PageAsync(next);
            walked.AddRange(page.Items.Select(s => s.Id));
            next = page.Links.Next;
        }

        var numbered = new List<long>();
        for (var number = 1; number <= (walked.Count + 1) / 2; number++)
        {
            numbered.AddRange((await PageAsync($"/v1/webhooks?pageSize=2&page={number}")).Items.Select(s => s.Id));
        }

        Assert.Equal(ids, walked.Where(ids.Contains));
        Assert.Equal(walked, numbered);
        Assert.Equal(walked.Count, walked.Distinct().Count());
    }

    [Fact]
    public async Task Managing_needs_the_scope_and_changes_need_the_version()
    {
        var anonymous = app.CreateClient();
        var editor = app.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.ContentWrite));
        var manager = await ManagerAsync();
        var created = await SubscribeAsync(manager, "https://hooks.example.org/x", "article.published");
        var path = $"/v1/webhooks/{created.Subscription.Id}";

        var noKey = await anonymous.GetAsync("/v1/webhooks", Ct);
        var wrongScope = await editor.GetAsync("/v1/webhooks", Ct);
        var list = await (await manager.GetAsync("/v1/webhooks", Ct)).ReadContractAsync<Paged<WebhookSubscription>>();
        var withoutVersion = await manager.DeleteAsync(path, Ct);
        using var stale = new HttpRequestMessage(HttpMethod.Delete, path);
        stale.Headers.TryAddWithoutValidation("If-Match", "\"99\"");
        var staleDelete = await manager.SendAsync(stale, Ct);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, path);
        delete.Headers.TryAddWithoutValidation("If-Match", (await manager.GetAsync(path, Ct)).Headers.ETag!.ToString());
        var deleted = await manager.SendAsync(delete, Ct);
        var gone = await manager.GetAsync(path, Ct);

        await noKey.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await wrongScope.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains(list.Items, s => s.Id == created.Subscription.Id && s.Url == "https://hooks.example.org/x");
        await withoutVersion.AssertProblemAsync((HttpStatusCode)428);
        await staleDelete.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
