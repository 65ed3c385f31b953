using System.Text.Json.Serialization;
using ContentApi.Infrastructure.Http;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
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
    public static IServiceCollection AddHealthApi(this IServiceCollection services) =>
        services.AddSourceGeneratedJson(HealthJsonContext.Default);

    public static RouteGroupBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");

        group.MapGet("/live", Live)
            .WithName(nameof(Live))
            .WithSummary("The process is up")
            .WithDescription("Answers 200 while the process runs, without touching the database: for liveness probes.");
        group.MapGet("/ready", Ready)
            .WithName(nameof(Ready))
            .WithSummary("The process can serve content (PostgreSQL answers)")
            .WithDescription("Answers 200 when PostgreSQL answers a query, else 503 with Retry-After: for readiness probes and load balancers.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    public static Ok<HealthReport> Live(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new HealthReport("live"));
    }

    public static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> Ready(NpgsqlDataSource db, HttpResponse response, CancellationToken cancellationToken)
    {
        response.Headers.CacheControl = "no-store";
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
