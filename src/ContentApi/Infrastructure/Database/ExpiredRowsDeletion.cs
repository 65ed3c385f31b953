using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Infrastructure.Database;

/// <summary>What the database keeps only for a while (configuration section <c>Retention</c>).</summary>
internal sealed class RetentionOptions
{
    /// <summary>How often each instance deletes what has expired.</summary>
    public int IntervalSeconds { get; set; } = 3600;
}

/// <summary>
/// Deletes rows past their time every <see cref="RetentionOptions.IntervalSeconds"/>, at most
/// <see cref="BatchSize"/> a statement (no long lock or transaction, however many have piled up)
/// until a statement deletes fewer. Every instance runs it; each statement skips the rows
/// another holds.
/// </summary>
internal abstract class ExpiredRowsDeletion(NpgsqlDataSource db, IOptions<RetentionOptions> options, ILogger logger)
    : PeriodicDatabaseWork(db, TimeSpan.FromSeconds(options.Value.IntervalSeconds), logger)
{
    public const int BatchSize = 1000;

    /// <summary>A statement deleting at most <c>@batch</c> expired rows.</summary>
    protected abstract string DeleteSql { get; }

    /// <summary>The statement's other parameters, if any.</summary>
    protected virtual DynamicParameters Parameters => new();

    protected sealed override async Task RunAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        var parameters = Parameters;
        parameters.Add("batch", BatchSize);
        var command = new CommandDefinition(DeleteSql, parameters, cancellationToken: stoppingToken);
        int deleted;
        do
        {
            deleted = await connection.ExecuteAsync(command);
        }
        while (deleted == BatchSize);
    }
}

internal static class RetentionServices
{
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration("Retention")
            .Validate(o => o.IntervalSeconds is >= 1 and <= 86_400, "Retention:IntervalSeconds must be 1 to 86400.")
            .ValidateOnStart();
        return services;
    }
}
