using Dapper;
using Npgsql;

namespace ContentApi.Tests.Reads;

/// <summary>Tests whose statements go through a data source of their own, as the API's machinery takes one; closed with the test class.</summary>
public abstract class OwnDataSourceTests(ContentApiFixture app) : IAsyncDisposable
{
    protected ContentApiFixture App { get; } = app;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A Dapper command that the test's cancellation stops.</summary>
    protected static CommandDefinition Command(string sql, object? args = null) => new(sql, args, cancellationToken: Ct);

    protected NpgsqlDataSource Db { get; } = NpgsqlDataSource.Create(app.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
