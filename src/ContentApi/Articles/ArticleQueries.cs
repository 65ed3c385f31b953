using ContentApi.Reads;
using Dapper;
using Npgsql;

namespace ContentApi.Articles;

internal static class ArticleQueries
{
    /// <summary>Public visibility of an article (alias <c>a</c>): the SQL function of migration 0008, inlined by the planner.</summary>
    public const string IsPublic = "article_is_public(a)";

    /// <summary>One ArticleSummary as JSON, from an <c>articles a</c> row (kept rendered by a trigger with article_summary_json).</summary>
    public const string SummaryJson = "a.summary_document";

    /// <summary>Whether an article (alias <c>a</c>) matches the full-text query <c>@q</c>: anywhere in its text.</summary>
    public const string MatchesQuery = $"a.search_vector @@ {FullTextQueries.Sql}";

    /// <summary>
    /// An article's relevance to <c>@q</c>: ranked by its title, summary and the body's opening
    /// (rank_vector, migration 0018), small and in the row, not by the whole text's vector.
    /// </summary>
    public const string Rank = $"ts_rank(a.rank_vector, {FullTextQueries.Sql})";

    // The allow-list of orders; the names are the public `sort` values.
    private static readonly Dictionary<string, SortOrder> Sorts = new()
    {
        [ArticleSorts.Newest] = new(ArticleSorts.Newest, "a.published_at", "a.id", Descending: true),
        [ArticleSorts.Oldest] = new(ArticleSorts.Oldest, "a.published_at", "a.id", Descending: false),
        [ArticleSorts.Title] = new(ArticleSorts.Title, "a.title", "a.id", Descending: false),
        [ArticleSorts.Relevance] = new(ArticleSorts.Relevance, Rank, "a.id", Descending: true),
    };

    // Each metadata filter: the link to follow from an article to the entity named by slug.
    private static readonly (Func<ListArticlesQuery, string?> Value, string Name, string Sql)[] LinkFilters =
    [
        (q => q.Tag, "tag", "a.id in (select l.article_id from article_tags l join tags t on t.id = l.tag_id where t.slug = @tag)"),
        (q => q.Person, "person", "a.id in (select l.article_id from article_people l join people p on p.id = l.person_id where p.slug = @person)"),
        (q => q.Organisation, "organisation", "a.id in (select l.article_id from article_organisations l join organisations o on o.id = l.organisation_id where o.slug = @organisation)"),
        (q => q.Event, "event", "a.id in (select l.article_id from article_events l join events e on e.id = l.event_id where e.slug = @event)"),
        (q => q.Place, "place", "a.id in (select l.article_id from article_places l join places pl on pl.id = l.place_id where pl.slug = @place)"),
        (q => q.Author, "author", "a.id in (select l.article_id from article_authors l join authors au on au.id = l.author_id where au.slug = @author)"),
    ];

    // Editors' lists (status=…) hold drafts without a publication time: ordered by it, or by
    // their last change when they have none.
    private static readonly Dictionary<string, SortOrder> EditorialSorts = new()
    {
        [ArticleSorts.Newest] = new(ArticleSorts.Newest, "coalesce(a.published_at, a.updated_at)", "a.id", Descending: true),
        [ArticleSorts.Oldest] = new(ArticleSorts.Oldest, "coalesce(a.published_at, a.updated_at)", "a.id", Descending: false),
        [ArticleSorts.Title] = Sorts[ArticleSorts.Title],
        [ArticleSorts.Relevance] = Sorts[ArticleSorts.Relevance],
    };

    /// <summary>
    /// The article list for these filters: conditions are fixed SQL texts, values are
    /// parameters. Public unless <c>status</c> asks for an editors' list.
    /// </summary>
    public static ListSpec ListSpec(ListArticlesQuery query, string? parentExists = null, string? notFoundDetail = null)
    {
        var visibility = query.Status switch
        {
            null or "published" => IsPublic,
            "draft" => "a.status = 'draft'",
            "scheduled" => "a.status = 'published' and a.published_at > now()",
            _ => "a.status = 'archived'",
        };
        var conditions = new List<string> { visibility };
        var parameters = new DynamicParameters();
        var scope = new List<string> { query.Status is null ? "articles" : $"articles\nstatus={query.Status}" };
        foreach (var (value, name, sql) in LinkFilters)
        {
            if (value(query) is { } slug)
            {
                conditions.Add(sql);
                parameters.Add(name, slug);
                scope.Add($"{name}={slug}");
            }
        }

        if (query.PublishedFrom is { } publishedFrom)
        {
            conditions.Add("a.published_at >= (@publishedFrom::date)::timestamp at time zone 'UTC'");
            parameters.Add("publishedFrom", publishedFrom);
            scope.Add($"publishedFrom={publishedFrom:O}");
        }

        if (query.PublishedTo is { } publishedTo)
        {
            conditions.Add("a.published_at < (@publishedTo::date + 1)::timestamp at time zone 'UTC'");
            parameters.Add("publishedTo", publishedTo);
            scope.Add($"publishedTo={publishedTo:O}");
        }

        if (query.EventFrom is not null || query.EventTo is not null)
        {
            conditions.Add("""
                a.id in (select l.article_id from article_events l join events e on e.id = l.event_id
                         where (@eventFrom::date is null or e.end_date >= @eventFrom::date)
                           and (@eventTo::date is null or e.start_date <= @eventTo::date))
                """);
            parameters.Add("eventFrom", query.EventFrom);
            parameters.Add("eventTo", query.EventTo);
            scope.Add($"event={query.EventFrom:O}..{query.EventTo:O}");
        }

        if (query.Language is { } language)
        {
            conditions.Add("a.language = @language");
            parameters.Add("language", language);
            scope.Add($"language={language}");
        }

        if (FullTextQueries.Normalize(query.Q) is { } q)
        {
            conditions.Add(MatchesQuery);
            parameters.Add("q", q);
            scope.Add($"q={q}");
        }

        var sort = (query.Status is null ? Sorts : EditorialSorts)[query.Sort ?? ArticleSorts.Newest];
        scope.Add($"sort={sort.Name}");
        return new ListSpec(
            Scope: string.Join('\n', scope),
            ItemJson: SummaryJson,
            FromWhere: $"from articles a where {string.Join("\n  and ", conditions)}",
            Sort: sort,
            Parameters: parameters,
            ParentExists: parentExists,
            NotFoundDetail: notFoundDetail)
        {
            IsPublic = query.Status is null,
            CacheKeys = ["articles"],
            // Ranked by relevance, every match is read before the first is known. Not so for the
            // other filters: for a tag of 6,000 of 1,000,000 articles the page walks the date
            // index until it has enough, and counting in that pass made it walk all of it.
            ReadsAllItems = sort.Name == ArticleSorts.Relevance,
        };
    }

    public sealed record ValidatorsRow(long Id, long ContentVersion, DateTime ContentModifiedAt);

    public sealed record DocumentRow(long Id, long ContentVersion, DateTime ContentModifiedAt, string Document);

    public static async Task<ValidatorsRow?> GetValidatorsAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken)
    {
        const string sql = $"""
            select a.id, a.content_version, a.content_modified_at
            from articles a
            where a.slug = @slug and {IsPublic}
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ValidatorsRow>(new CommandDefinition(sql, new { slug }, cancellationToken: cancellationToken));
    }

    public sealed record FormattedRow(long Id, long Version, DateTime ModifiedAt, string Document);

    /// <summary>
    /// The article in a format (editors: any status but deleted, with the stored version;
    /// readers: published, with the content version), rendered from its detail document.
    /// </summary>
    public static async Task<FormattedRow?> GetFormattedAsync(
        NpgsqlDataSource db, string slug, ArticleFormats.Format format, string baseUrl, bool editor, CancellationToken cancellationToken)
    {
        var document = format == ArticleFormats.Format.Json ? "a.document::text" : $"{ArticleFormats.Renderer(format)}(a.document::jsonb, @baseUrl)::text";
        var sql = editor
            ? $"select a.id, a.row_version::bigint as version, a.updated_at as modified_at, {document} as document from articles a where a.slug = @slug and a.status <> 'deleted'"
            : $"select a.id, a.content_version as version, a.content_modified_at as modified_at, {document} as document from articles a where a.slug = @slug and {IsPublic}";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<FormattedRow>(new CommandDefinition(sql, new { slug, baseUrl }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The whole detail view (ArticleDetail) as JSON: kept rendered in the row with article_json
    /// by triggers (migrations 0005, 0008) whenever the article, a link or a linked entity changes.
    /// </summary>
    public static async Task<DocumentRow?> GetDocumentAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken)
    {
        const string sql = $"""
            select a.id, a.content_version, a.content_modified_at, a.document
            from articles a
            where a.slug = $1 and {IsPublic}
            """;
        // The hottest read: plain Npgsql with a typed positional parameter (Dapper costs a few
        // percent of throughput here).
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = slug });
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new DocumentRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetDateTime(2), reader.GetString(3))
            : null;
    }
}
