using ContentApi.Infrastructure.Database;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

[assembly: AssemblyFixture(typeof(ContentApi.Tests.ContentApiFixture))]

namespace ContentApi.Tests;

/// <summary>
/// The app over a real PostgreSQL: a fresh database on the throwaway server that
/// <c>./build.sh test</c> starts (CONTENTAPI_TEST_SERVER), migrated and seeded with the same
/// SQL files as production, dropped at the end.
/// </summary>
public sealed class ContentApiFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public ContentApiFixture()
    {
        ConnectionString = TestServer.NewDatabaseConnectionString("contentapi_test");
    }

    public string ConnectionString { get; }

    public TestDatabase Database => new(ConnectionString);

    public async ValueTask InitializeAsync() =>
        await new DatabaseMigrator(ConnectionString, NullLogger.Instance).MigrateAsync(CancellationToken.None);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Content", ConnectionString);
        foreach (var (key, value) in SettingOverrides)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Extra configuration for this app instance (set before the first client is created).</summary>
    public Dictionary<string, string?> SettingOverrides { get; } = [];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await TestServer.DropDatabaseAsync(ConnectionString);
    }
}

/// <summary>The PostgreSQL server the tests run against.</summary>
public static class TestServer
{
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("CONTENTAPI_TEST_SERVER") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "CONTENTAPI_TEST_SERVER is not set: run the tests with ./build.sh test, which starts a throwaway PostgreSQL.");

    public static string NewDatabaseConnectionString(string prefix) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = $"{prefix}_{Guid.NewGuid():N}"[..40],
        }.ConnectionString;

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists \"{database}\" with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
