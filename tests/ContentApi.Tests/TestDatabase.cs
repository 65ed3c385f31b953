using Dapper;
using Npgsql;

namespace ContentApi.Tests;

/// <summary>Direct SQL for arranging data and for checking what was stored.</summary>
public sealed class TestDatabase(string connectionString)
{
    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, cancellationToken: TestContext.Current.CancellationToken)))!;
    }

    /// <summary>The rows of <paramref name="sql"/>; <paramref name="timeoutSeconds"/>: longer than Npgsql's 30 s, for a statement that reads the whole database.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null, int? timeoutSeconds = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, args, commandTimeout: timeoutSeconds, cancellationToken: TestContext.Current.CancellationToken))).AsList();
    }

    public async Task<int> ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// Sessions of this database whose list statement (any public list, search too) waits for a
    /// lock: its head reads the watermark, which reads articles. Told by the head's first columns,
    /// within the statement's first kilobyte (what pg_stat_activity keeps of its text).
    /// </summary>
    public const string ListStatementsWaitingForALock = """
        select count(*) from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query like '%select h.version, h.changed_at, h.visible_until, h.parent_exists%'
        """;

    /// <summary>
    /// The count <paramref name="countSql"/> settles at: polled until it reaches <paramref name="expected"/>
    /// (at most 5 s), then read again after a pause that would let one more arrive were a limit not kept.
    /// </summary>
    public async Task<long> SettledCountAsync(string countSql, long expected)
    {
        for (var attempt = 0; attempt < 50 && await ScalarAsync<long>(countSql) < expected; attempt++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await Task.Delay(300, TestContext.Current.CancellationToken);
        return await ScalarAsync<long>(countSql);
    }

    /// <summary>A lock on <paramref name="table"/> held by a session of its own until it is released (or disposed).</summary>
    public Task<HeldLock> LockTableAsync(string table, string mode) => HoldLockAsync($"lock table {table} in {mode} mode");

    /// <summary>Runs <paramref name="lockingSql"/> in a transaction left open: its locks are held until released.</summary>
    public async Task<HeldLock> HoldLockAsync(string lockingSql, object? args = null)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(lockingSql, args, transaction: transaction,
            cancellationToken: TestContext.Current.CancellationToken));
        return new HeldLock(connection, transaction);
    }

    public sealed class HeldLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public Task ReleaseAsync() => transaction.RollbackAsync(TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>A unique slug for data a test creates, so tests never see each other's rows.</summary>
    public static string UniqueSlug(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Inserts an article with one paragraph and returns its id.</summary>
    public Task<long> InsertArticleAsync(
        string slug, string status = "published", DateTime? publishedAt = null, string? title = null,
        string? body = null, string summary = "A test article.", string language = "en", bool commentsOpen = true) =>
        ScalarAsync<long>(
            """
            insert into articles (slug, title, summary, body, language, status, published_at, comments_open)
            values (@slug, @title, @summary, jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text', @body)),
                    @language, @status, @publishedAt, @commentsOpen)
            returning id
            """,
            new
            {
                slug,
                title = title ?? $"Article {slug}",
                summary,
                body = body ?? $"Body of {slug}.",
                language,
                status,
                publishedAt = status == "draft" && publishedAt is null ? (DateTime?)null : publishedAt ?? DateTime.UtcNow.AddMinutes(-1),
                commentsOpen,
            });

    /// <summary>
    /// A new tag (version 1) and one more published article with it than one write of the tag
    /// rewrites (article_fan_out_limit(), migration 0045), a minute apart: the tag's slug, and the
    /// articles' ids and slugs, newest first.
    /// </summary>
    public async Task<(string Tag, TaggedArticles Articles)> InsertTagOfManyArticlesAsync()
    {
        var tag = UniqueSlug("many");
        var tagId = await InsertEntityAsync("tags", tag, $"Tag {tag}");
        var rows = await QueryAsync<(long Id, string Slug)>(
            """
            insert into articles (slug, title, summary, body, status, published_at)
            select @prefix || '-' || n, 'Article ' || n, 'A test article.', '[{"type": "paragraph", "text": "Body."}]',
                   'published', now() - make_interval(mins => n)
            from generate_series(1, article_fan_out_limit() + 1) n
            returning id, slug
            """,
            new { prefix = UniqueSlug("fan-out") });
        var ids = rows.Select(r => r.Id).ToArray();
        await ExecuteAsync("insert into article_tags (article_id, tag_id) select unnest(@ids), @tagId", new { ids, tagId });
        return (tag, new TaggedArticles(ids, [.. rows.Select(r => r.Slug)]));
    }

    /// <summary>Adds <paramref name="count"/> approved comments to an article, "Comment n on {its slug}".</summary>
    public Task InsertApprovedCommentsAsync(long articleId, int count) =>
        ExecuteAsync(
            """
            insert into comments (article_id, author_name, body, body_hash, status)
            select a.id, 'Reader ' || n, 'Comment ' || n || ' on ' || a.slug, '\x00', 'approved'
            from articles a, generate_series(1, @count) n
            where a.id = @articleId
            """,
            new { articleId, count });

    /// <summary>Inserts a row of <paramref name="table"/> (people, organisations, places, tags) and returns its id.</summary>
    public Task<long> InsertEntityAsync(string table, string slug, string name, string? description = null) =>
        ScalarAsync<long>($"insert into {table} (slug, name{(description is null ? "" : ", description")}) values (@slug, @name{(description is null ? "" : ", @description")}) returning id",
            new { slug, name, description });

    public Task<long> InsertEventAsync(string slug, string name, DateOnly start, DateOnly end, string? city = null) =>
        ScalarAsync<long>(
            "insert into events (slug, name, start_date, end_date, city) values (@slug, @name, @start, @end, @city) returning id",
            new { slug, name, start, end, city });

    /// <summary>Links an article to an entity through its link table (article_tags, article_people, …).</summary>
    public Task LinkAsync(string linkTable, long articleId, long entityId, string? role = null)
    {
        var column = linkTable switch
        {
            "article_tags" => "tag_id",
            "article_people" => "person_id",
            "article_organisations" => "organisation_id",
            "article_events" => "event_id",
            "article_places" => "place_id",
            "article_authors" => "author_id",
            _ => throw new ArgumentException(linkTable, nameof(linkTable)),
        };
        return role is null
            ? ExecuteAsync($"insert into {linkTable} (article_id, {column}) values (@articleId, @entityId)", new { articleId, entityId })
            : ExecuteAsync($"insert into {linkTable} (article_id, {column}, role) values (@articleId, @entityId, @role)", new { articleId, entityId, role });
    }
}

/// <summary>Articles inserted with one tag: their ids and slugs, in the same order.</summary>
public sealed record TaggedArticles(long[] Ids, string[] Slugs);
