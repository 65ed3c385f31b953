using System.Net;
using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>The schema owner's connection (a superuser here): migrations, test data, API keys.</summary>
    public string ConnectionString { get; }

    /// <summary>What the API connects with: the least-privilege role (DML only), as in production.</summary>
    public string ApiConnectionString => TestServer.AsApiRole(ConnectionString);

    public TestDatabase Database => new(ConnectionString);

    public async ValueTask InitializeAsync()
    {
        await TestServer.EnsureApiRoleAsync();
        await new DatabaseMigrator(ConnectionString, NullLogger.Instance).MigrateAsync(CancellationToken.None);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Content", ApiConnectionString);
        builder.UseSetting("ConnectionStrings:Owner", ConnectionString);
        builder.UseSetting("Health:DrainSeconds", "0"); // test hosts stop at once
        // Tests change rows with SQL and read them back at once; the in-memory cache hears of a
        // change a moment after its commit. The cache's own tests switch it on.
        builder.UseSetting("OutputCache:Enabled", "false");
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, TestClientAddress>());
        foreach (var (key, value) in SettingOverrides)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Extra configuration for this app instance (set before the first client is created).</summary>
    public Dictionary<string, string?> SettingOverrides { get; } = [];

    /// <summary>A new API key with these scopes, for the Authorization header.</summary>
    public async Task<string> CreateApiKeyAsync(params string[] scopes)
    {
        await using var owner = NpgsqlDataSource.Create(ConnectionString);
        return await ApiKeyCommands.CreateAsync(owner, "test", scopes, TestContext.Current.CancellationToken);
    }

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

    /// <summary>Runs <paramref name="test"/> with the connection string of a new, empty database of its own, dropped after it.</summary>
    public static async Task InNewDatabaseAsync(string prefix, Func<string, Task> test)
    {
        var connectionString = NewDatabaseConnectionString(prefix);
        try
        {
            await test(connectionString);
        }
        finally
        {
            await DropDatabaseAsync(connectionString);
        }
    }

    /// <summary>The API's role (sql/seed/0002_api_role_grants.sql grants it DML when it exists).</summary>
    public const string ApiRole = "contentapi_api";

    public static string AsApiRole(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = ApiRole }.ConnectionString;

    public static async Task EnsureApiRoleAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"""
            do $$ begin
                if not exists (select from pg_roles where rolname = '{ApiRole}') then create role {ApiRole} login; end if;
            exception when duplicate_object or unique_violation then null; -- created by a concurrent run
            end $$
            """, connection);
        await create.ExecuteNonQueryAsync();
    }

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

/// <summary>
/// The test server has no connection address. Each request gets the one named by the
/// X-Test-Client-Address header, or a fresh random one, so tests choose when two requests come
/// from the same client (flood control, rate limits) and never collide by accident.
/// </summary>
internal sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(Header, out var value)
                ? IPAddress.Parse(value.ToString())
                : new IPAddress(Random.Shared.NextInt64(0x0B000000, 0x0BFFFFFF)); // 11.x.x.x
            return nextMiddleware(context);
        });
        next(app);
    };
}
