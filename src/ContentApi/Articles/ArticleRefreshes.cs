using ContentApi.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Articles;

internal sealed class ArticleRefreshOptions
{
    /// <summary>How often each instance looks for queued articles.</summary>
    public int IntervalMilliseconds { get; set; } = 1000;
}

/// <summary>
/// Rewrites the articles that a large change of an entity left queued (renamed, or deleted with
/// detach=true, while linked to more than article_fan_out_limit() articles: migration 0045), a
/// batch at a time until none is left, each batch in its own transaction. Every instance runs
/// it; each takes batches no other holds.
/// </summary>
internal sealed class ArticleRefreshes(NpgsqlDataSource db, IOptions<ArticleRefreshOptions> options, ILogger<ArticleRefreshes> logger)
    : PeriodicDatabaseWork(db, TimeSpan.FromMilliseconds(options.Value.IntervalMilliseconds), logger)
{
    protected override string Description => "Refreshing the articles of a renamed entity";

    protected override async Task RunAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        var command = new CommandDefinition("select article_refreshes_run()", cancellationToken: stoppingToken);
        int refreshed;
        do
        {
            refreshed = await connection.ExecuteScalarAsync<int>(command);
        }
        while (refreshed > 0);
    }
}
