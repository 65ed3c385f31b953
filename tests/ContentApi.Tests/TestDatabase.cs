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

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, args, cancellationToken: TestContext.Current.CancellationToken))).AsList();
    }

    public async Task<int> ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: TestContext.Current.CancellationToken));
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
}
