using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using Npgsql;
using Microsoft.OpenApi;
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

    public static async Task<int> RunAsync(WebApplication app, string[] command)
    {
        switch (command)
        {
            case []:
                await app.RunAsync();
                return 0;
            case ["migrate"]:
                await MigrateAsync(app);
                return 0;
            case ["keys", .. var keyArgs]:
                return await ApiKeyCommands.RunAsync(app.Services.GetRequiredService<NpgsqlDataSource>(), app.Environment, keyArgs, app.Lifetime.ApplicationStopping);
            case ["openapi", var path]:
                await WriteOpenApiAsync(app, path);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: ContentApi [migrate | openapi FILE | keys …] [--host-options]\n" + ApiKeyCommands.Usage);
                return 2;
        }
    }

    private static Task MigrateAsync(WebApplication app)
    {
        var connectionString = DatabaseServiceCollectionExtensions.RequiredConnectionString(app.Configuration);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Migrations");
        return new DatabaseMigrator(connectionString, logger).MigrateAsync(app.Lifetime.ApplicationStopping);
    }

    // The document exactly as /swagger/v1/swagger.json serves it, without starting a server.
    private static async Task WriteOpenApiAsync(WebApplication app, string path)
    {
        var document = app.Services.GetRequiredService<ISwaggerProvider>().GetSwagger(ApiDocumentation.DocumentName);
        await using var file = new StreamWriter(path);
        document.SerializeAsV3(new OpenApiJsonWriter(file));
        Console.WriteLine($"wrote {path}");
    }
}
