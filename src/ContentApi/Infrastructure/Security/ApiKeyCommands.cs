using Dapper;
using Npgsql;

namespace ContentApi.Infrastructure.Security;

/// <summary>
/// <c>keys create --name N --scopes a,b</c> (or <c>--scope a</c>; prints the key once), <c>keys list</c>,
/// <c>keys revoke ID</c>, and <c>keys ensure-development FILE</c> (Development only: a key
/// with every scope, created once per database and kept in FILE for the next run).
/// </summary>
internal static class ApiKeyCommands
{
    public const string Usage = """
        usage: keys create --name NAME --scopes SCOPE[,SCOPE]   (or --scope; scopes: content:write, comments:moderate, webhooks:manage)
               keys list
               keys revoke ID
               keys ensure-development FILE
        """;

    // A class, not a positional record: Dapper reads text[] as System.Array for constructors.
    private sealed class KeyListing
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string KeyPrefix { get; init; } = "";
        public string[] Scopes { get; init; } = [];
        public DateTime? RevokedAt { get; init; }
        public DateTime? LastUsedAt { get; init; }
    }

    public static async Task<int> RunAsync(NpgsqlDataSource db, IHostEnvironment environment, string[] args, CancellationToken cancellationToken)
    {
        switch (args)
        {
            case ["create", .. var options] when Option(options, "--name") is { } name && (Option(options, "--scopes") ?? Option(options, "--scope")) is { } scopeList:
                var scopes = scopeList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (name.Trim().Length is 0 or > 100 || scopes.Length == 0 || scopes.Any(s => !Scopes.All.Contains(s)))
                {
                    await Console.Error.WriteLineAsync($"a name of 1 to 100 characters and scopes among: {string.Join(", ", Scopes.All)}");
                    return 2;
                }

                Console.WriteLine(await CreateAsync(db, name.Trim(), scopes, cancellationToken));
                return 0;
            case ["list"]:
                await ListAsync(db, cancellationToken);
                return 0;
            case ["revoke", var idText] when long.TryParse(idText, out var id):
                var revoked = await RevokeAsync(db, id, cancellationToken);
                Console.WriteLine(revoked ? $"revoked key {id}" : $"no active key {id}");
                return revoked ? 0 : 1;
            case ["ensure-development", var file]:
                if (!environment.IsDevelopment())
                {
                    await Console.Error.WriteLineAsync("development keys exist in the Development environment only");
                    return 2;
                }

                Console.WriteLine(await EnsureDevelopmentKeyAsync(db, file, cancellationToken));
                return 0;
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static string? Option(string[] options, string name) =>
        Array.IndexOf(options, name) is var at and >= 0 && at + 1 < options.Length ? options[at + 1] : null;

    public static async Task<string> CreateAsync(NpgsqlDataSource db, string name, string[] scopes, CancellationToken cancellationToken)
    {
        var key = ApiKeys.Generate();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into api_keys (name, key_hash, key_prefix, scopes) values (@name, @hash, @prefix, @scopes)",
            new { name, hash = ApiKeys.Hash(key), prefix = ApiKeys.DisplayPrefix(key), scopes },
            cancellationToken: cancellationToken));
        return key;
    }

    public static async Task<bool> RevokeAsync(NpgsqlDataSource db, long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update api_keys set revoked_at = now() where id = @id and revoked_at is null", new { id }, cancellationToken: cancellationToken)) == 1;
    }

    private static async Task ListAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var keys = await connection.QueryAsync<KeyListing>(new CommandDefinition(
            "select id, name, key_prefix, scopes, revoked_at, last_used_at from api_keys order by id", cancellationToken: cancellationToken));
        foreach (var key in keys)
        {
            var state = key.RevokedAt is { } revoked ? $"revoked {revoked:u}" : "active";
            Console.WriteLine($"{key.Id}\t{key.Name}\t{key.KeyPrefix}…\t{string.Join(',', key.Scopes)}\t{state}\tlast used {key.LastUsedAt?.ToString("u") ?? "never"}");
        }
    }

    // The key is kept in a git-ignored file next to the private cluster, since the database
    // holds only its hash; a new one is made when the file is missing or its key is gone.
    private static async Task<string> EnsureDevelopmentKeyAsync(NpgsqlDataSource db, string file, CancellationToken cancellationToken)
    {
        // Kept while it is valid and has every scope (a scope added since gets a new key).
        if (File.Exists(file) && (await File.ReadAllTextAsync(file, cancellationToken)).Trim() is { Length: > 0 } existing)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var active = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from api_keys where key_hash = @hash and revoked_at is null and scopes @> @scopes)",
                new { hash = ApiKeys.Hash(existing), scopes = Scopes.All }, cancellationToken: cancellationToken));
            if (active)
            {
                return existing;
            }
        }

        var key = await CreateAsync(db, "development", Scopes.All, cancellationToken);
        await File.WriteAllTextAsync(file, key + Environment.NewLine, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return key;
    }
}
