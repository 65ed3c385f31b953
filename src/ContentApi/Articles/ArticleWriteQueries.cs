using System.Text.Json;
using Dapper;
using Npgsql;

namespace ContentApi.Articles;

/// <summary>The write side's SQL: each write is one call of a function of migration 0009, one transaction.</summary>
internal static class ArticleWriteQueries
{
    /// <summary>What became of a write, by name (Dapper refuses any other).</summary>
    public enum Outcome { Created, Saved, Deleted, NotFound, Gone, Stale, SlugTaken, SlugRedirects, UnknownReferences }

    /// <summary>The result of a write: on success the article's slug, version and detail (ArticleDetail) JSON.</summary>
    public sealed record WriteResult(Outcome Outcome, string? Slug, int? Version, string? Detail);

    /// <summary>Creates (<paramref name="currentSlug"/> null) or replaces an article, its links and a revision.</summary>
    public static async Task<WriteResult> SaveAsync(
        NpgsqlDataSource db, string? currentSlug, int? expectedVersion, JsonElement document, string keyName, CancellationToken cancellationToken)
    {
        const string sql = "select outcome, slug, version, detail from article_save(@currentSlug, @expectedVersion, @document::jsonb, @keyName)";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<WriteResult>(new CommandDefinition(sql, new
        {
            currentSlug,
            expectedVersion,
            document = document.GetRawText(),
            keyName,
        }, cancellationToken: cancellationToken));
    }

    public static async Task<WriteResult> DeleteAsync(NpgsqlDataSource db, string slug, int? expectedVersion, CancellationToken cancellationToken)
    {
        const string sql = "select outcome, null as slug, version, null as detail from article_delete(@slug, @expectedVersion)";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<WriteResult>(new CommandDefinition(sql, new { slug, expectedVersion }, cancellationToken: cancellationToken));
    }

    /// <summary>An article as editors see it: any status but deleted, with its version.</summary>
    public sealed record EditorialRow(long Id, int Version, string Status, string Detail, string WriteDocument);

    public static async Task<EditorialRow?> GetEditorialAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken)
    {
        const string sql = """
            select a.id, a.row_version as version, a.status, a.document::text as detail, article_write_json(a)::text as write_document
            from articles a
            where a.slug = @slug and a.status <> 'deleted'
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<EditorialRow>(new CommandDefinition(sql, new { slug }, cancellationToken: cancellationToken));
    }

    /// <summary>Where an article not at this slug is now: its current slug (a rename), or gone (taken down).</summary>
    public sealed record Whereabouts(string? CurrentSlug, bool Gone);

    public static async Task<Whereabouts> LocateAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken)
    {
        const string sql = "select current_slug, gone from article_slug_lookup(@slug)";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<Whereabouts>(new CommandDefinition(sql, new { slug }, cancellationToken: cancellationToken));
    }

    public sealed record RevisionRow(int Number, string KeyName, DateTime CreatedAt, string Document);

    public static async Task<RevisionRow?> GetRevisionAsync(NpgsqlDataSource db, string slug, int number, CancellationToken cancellationToken)
    {
        const string sql = """
            select r.number, r.key_name, r.created_at, r.document::text as document
            from article_revisions r join articles a on a.id = r.article_id
            where a.slug = @slug and a.status <> 'deleted' and r.number = @number
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RevisionRow>(new CommandDefinition(sql, new { slug, number }, cancellationToken: cancellationToken));
    }

    /// <summary>An article's revisions, newest first (the editors' list, never cached publicly).</summary>
    public static Reads.ListSpec RevisionsSpec(string slug)
    {
        var parameters = new Reads.SqlParameters();
        parameters.Add("slug", slug);
        return new Reads.ListSpec(
            Scope: $"revisions\n{slug}",
            ItemJson: "json_build_object('number', r.number, 'keyName', r.key_name, 'createdAt', api_timestamp(r.created_at))",
            FromWhere: "from article_revisions r where r.article_id = (select a.id from articles a where a.slug = @slug and a.status <> 'deleted')",
            Sort: new Reads.SortOrder("-number", "r.number", "r.number", Descending: true),
            Parameters: parameters,
            ParentExists: "exists (select 1 from articles a where a.slug = @slug and a.status <> 'deleted')",
            NotFoundDetail: $"No article has the slug '{slug}'.") { IsPublic = false };
    }

    /// <summary>The current detail of an article by id, any status but deleted (previews).</summary>
    public static async Task<string?> GetDetailByIdAsync(NpgsqlDataSource db, long id, CancellationToken cancellationToken)
    {
        const string sql = "select a.document::text from articles a where a.id = @id and a.status <> 'deleted'";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    public static async Task<byte[]> PreviewKeyAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        const string sql = "select value from app_secrets where name = 'preview-signing-key'";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<byte[]>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }
}
