using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.OpenApi;
using Npgsql;
using Swashbuckle.AspNetCore.Swagger;

namespace ContentApi.Infrastructure;

/// <summary>
/// The app's command line: with no command it serves; otherwise it runs one of
/// <c>migrate</c> (migrations + seed data), <c>openapi FILE</c> (writes the served document) or
/// <c>keys …</c> (API keys, see <see cref="ApiKeyCommands"/>).
/// </summary>
internal static class AppCommands
{
    private static readonly string[] Names = ["migrate", "openapi", "keys"];

    /// <summary>Splits a leading command from the arguments meant for the host.</summary>
    public static (string[] Command, string[] HostArgs) Split(string[] args)
    {
        if (args.Length == 0 || !Names.Contains(args[0]))
        {
            return ([], args);
        }

        if (args[0] == "keys")
        {
            return (args, []); // its options are its own; configuration comes from the environment
        }

        var hostArgs = Array.FindIndex(args, a => a.StartsWith("--", StringComparison.Ordinal));
        return hostArgs < 0 ? (args, []) : (args[..hostArgs], args[hostArgs..]);
    }

    /// <summary>
    /// The host's options. Its content root, where appsettings.json is read, is the app's own
    /// folder unless the arguments or the environment name one: the default, the working
    /// directory, silently dropped the settings whenever the process started elsewhere (a service
    /// manager's <c>/</c>, the bench's repository root).
    /// </summary>
    public static WebApplicationOptions HostOptions(string[] hostArgs)
    {
        var named = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(hostArgs)
            .Build()[HostDefaults.ContentRootKey];
        return new WebApplicationOptions { Args = hostArgs, ContentRootPath = named is null ? AppContext.BaseDirectory : null };
    }

    /// <summary>
    /// The openapi command starts the app on a server that listens nowhere: the endpoints are
    /// built as for serving, and nothing is served. Serving trims the native heap (<see cref="NativeHeap"/>).
    /// </summary>
    public static void ConfigureHost(WebApplicationBuilder builder, string[] command)
    {
        if (command is [])
        {
            builder.Services.AddHostedService<NativeHeapTrimming>();
        }

        if (command is ["openapi", ..])
        {
            builder.Services.AddSingleton<IServer, NoListeningServer>();
            builder.Configuration["Health:DrainSeconds"] = "0"; // nothing to drain
        }
    }

    public static async Task<int> RunAsync(WebApplication app, string[] command)
    {
        switch (command)
        {
            case []:
                LogCollectorSettings(app);
                await app.RunAsync();
                return 0;
            case ["migrate"]:
                await MigrateAsync(app);
                return 0;
            case ["keys", .. var keyArgs]:
                await using (var owner = NpgsqlDataSource.Create(DatabaseServiceCollectionExtensions.OwnerConnectionString(app.Configuration)))
                {
                    return await ApiKeyCommands.RunAsync(owner, app.Environment, keyArgs, app.Lifetime.ApplicationStopping);
                }
            case ["openapi", var path]:
                await WriteOpenApiAsync(app, path);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: ContentApi [migrate | openapi FILE | keys …] [--host-options]\n" + ApiKeyCommands.Usage);
                return 2;
        }
    }

    /// <summary>The garbage collector's mode as the runtime took it (the project's server GC, the runtime's defaults, any <c>DOTNET_GC*</c>), for operators.</summary>
    private static void LogCollectorSettings(WebApplication app)
    {
        var settings = GC.GetConfigurationVariables();
        app.Logger.LogInformation("GC: server {Server}, dynamic adaptation {Adaptation}, target {TargetPercent}% of the time in collections",
            settings.GetValueOrDefault("ServerGC"), settings.GetValueOrDefault("GCDynamicAdaptationMode"), settings.GetValueOrDefault("GCDTargetTCP"));
    }

    private static Task MigrateAsync(WebApplication app)
    {
        var connectionString = DatabaseServiceCollectionExtensions.OwnerConnectionString(app.Configuration);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Migrations");
        return new DatabaseMigrator(connectionString, logger).MigrateAsync(app.Lifetime.ApplicationStopping);
    }

    // The document that /swagger/v1/swagger.json serves, from the same generator.
    private static async Task WriteOpenApiAsync(WebApplication app, string path)
    {
        await app.StartAsync();
        try
        {
            var document = app.Services.GetRequiredService<ISwaggerProvider>().GetSwagger(ApiDocumentation.DocumentName);
            await using var file = new StreamWriter(path);
            document.SerializeAsV31(new OpenApiJsonWriter(file));
            Console.WriteLine($"wrote {path}");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private sealed class NoListeningServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
