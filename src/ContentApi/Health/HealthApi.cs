using System.Text.Json.Serialization;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Health;

/// <param name="Status">live | ready</param>
public sealed record HealthReport([DocumentedValues("live", "ready")] string Status)
{
    public static HealthReport Example { get; } = new("ready");
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

internal static class HealthApi
{
    public static IServiceCollection AddHealthApi(this IServiceCollection services)
    {
        services.AddOptions<DrainOptions>().BindConfiguration("Health")
            .Validate(o => o.DrainSeconds is >= 0 and <= 25, "Health:DrainSeconds must be 0 to 25 (the host allows 30 s to stop).")
            .ValidateOnStart();
        services.AddHostedService<ShutdownDrain>();
        return services.AddSourceGeneratedJson(HealthJsonContext.Default);
    }

    public static RouteGroupBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health").NeverFromMemory();

        group.MapGet("/live", Live)
            .WithName(nameof(Live))
            .WithSummary("The process is up")
            .WithDescription("Answers 200 while the process runs, without touching the database: for liveness probes.");
        group.MapGet("/ready", Ready)
            .WithName(nameof(Ready))
            .WithSummary("The process can serve content (PostgreSQL answers)")
            .WithDescription("Answers 200 when PostgreSQL answers a query, else 503 with Retry-After: for readiness probes and load balancers. From the moment the process is asked to stop (SIGTERM) it answers 503 while it keeps serving for `Health:DrainSeconds`, so that balancers take it out before it closes.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    public static Ok<HealthReport> Live(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new HealthReport("live"));
    }

    public static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> Ready(
        NpgsqlDataSource db, IHostApplicationLifetime lifetime, HttpResponse response, CancellationToken cancellationToken)
    {
        response.Headers.CacheControl = "no-store";
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable", detail: "This instance is shutting down.");
        }

        try
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: cancellationToken));
            return TypedResults.Ok(new HealthReport("ready"));
        }
        catch (NpgsqlException)
        {
            response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable", detail: "PostgreSQL does not answer.");
        }
    }
}

/// <summary>Health settings (<c>Health:*</c>).</summary>
internal sealed class DrainOptions
{
    /// <summary>Seconds the process keeps serving after SIGTERM while /health/ready answers 503.</summary>
    public int DrainSeconds { get; set; } = 5;
}

/// <summary>
/// On SIGTERM the host stops hosted services before the server closes: this waits the drain
/// time first, while readiness already answers 503 and every request is still served, so that
/// load balancers stop sending traffic before connections are refused.
/// </summary>
internal sealed class ShutdownDrain(IOptions<DrainOptions> options, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.DrainSeconds > 0)
        {
            logger.LogInformation("Draining for {Seconds} s before stopping", options.Value.DrainSeconds);
            await Task.Delay(TimeSpan.FromSeconds(options.Value.DrainSeconds), cancellationToken);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
