using Dapper;
using Npgsql;

namespace ContentApi.Articles;

internal static class ArticleQueries
{
    // Public visibility of an article, the same in every query.
    private const string IsPublic = "a.status = 'published' and a.published_at <= now()";

    public sealed record ValidatorsRow(long ContentVersion, DateTime ContentModifiedAt);

    public sealed record DocumentRow(long ContentVersion, DateTime ContentModifiedAt, string Document);

    public static async Task<(IReadOnlyList<ArticleSummary> Items, long TotalItems)> ListAsync(
        NpgsqlDataSource db, int offset, int limit, CancellationToken cancellationToken)
    {
        const string sql = $"""
            select count(*) from articles a where {IsPublic};

            select a.id, a.slug, a.title, a.summary, a.language, a.published_at, a.updated_at, a.comment_count
            from articles a
            where {IsPublic}
            order by a.published_at desc, a.id desc
            limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { limit, offset }, cancellationToken: cancellationToken));
        var total = await results.ReadSingleAsync<long>();
        var items = (await results.ReadAsync<ArticleSummary>()).AsList();
        return (items, total);
    }

    public static async Task<ValidatorsRow?> GetValidatorsAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken)
    {
        const string sql = $"""
            select a.content_version, a.content_modified_at
            from articles a
            where a.slug = @slug and {IsPublic}
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ValidatorsRow>(new CommandDefinition(sql, new { slug }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The whole detail view (ArticleDetail) as JSON, built by PostgreSQL in one statement: the
    /// article, then metadata.event (one), metadata.dates, and the ordered arrays people (each
    /// with affiliations), organisations, places and tags.
    /// </summary>
    public static async Task<DocumentRow?> GetDocumentAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken)
    {
        const string sql = $"""
            select a.content_version, a.content_modified_at,
                json_build_object(
                    'id', a.id,
                    'slug', a.slug,
                    'title', a.title,
                    'summary', a.summary,
                    'language', a.language,
                    'status', a.status,
                    'body', a.body,
                    'commentsOpen', a.comments_open,
                    'commentCount', a.comment_count,
                    'metadata', json_build_object(
                        'event', (
                            select json_build_object(
                                'slug', e.slug, 'name', e.name, 'startDate', e.start_date, 'endDate', e.end_date,
                                'location', json_build_object('venue', e.venue, 'city', e.city, 'country', e.country))
                            from article_events ae
                            join events e on e.id = ae.event_id
                            where ae.article_id = a.id),
                        'dates', json_build_object(
                            'published', api_timestamp(a.published_at),
                            'modified', api_timestamp(a.updated_at),
                            'coverageStart', a.coverage_start,
                            'coverageEnd', a.coverage_end),
                        'people', coalesce((
                            select json_agg(json_build_object(
                                'slug', p.slug, 'name', p.name, 'role', ap.role,
                                'affiliations', coalesce((
                                    select json_agg(json_build_object('organisation', o.slug, 'title', af.title) order by af.position, af.id)
                                    from affiliations af
                                    join organisations o on o.id = af.organisation_id
                                    where af.person_id = p.id), '[]'))
                                order by ap.position, p.id)
                            from article_people ap
                            join people p on p.id = ap.person_id
                            where ap.article_id = a.id), '[]'),
                        'organisations', coalesce((
                            select json_agg(json_build_object(
                                'slug', o.slug, 'name', o.name, 'acronym', o.acronym, 'country', o.country, 'role', ao.role)
                                order by ao.position, o.id)
                            from article_organisations ao
                            join organisations o on o.id = ao.organisation_id
                            where ao.article_id = a.id), '[]'),
                        'places', coalesce((
                            select json_agg(json_build_object('slug', pl.slug, 'name', pl.name, 'country', pl.country)
                                order by apl.position, pl.id)
                            from article_places apl
                            join places pl on pl.id = apl.place_id
                            where apl.article_id = a.id), '[]'),
                        'tags', coalesce((
                            select json_agg(json_build_object('slug', t.slug, 'name', t.name) order by at.position, t.id)
                            from article_tags at
                            join tags t on t.id = at.tag_id
                            where at.article_id = a.id), '[]')
                    )
                )::text as document
            from articles a
            where a.slug = @slug and {IsPublic}
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DocumentRow>(new CommandDefinition(sql, new { slug }, cancellationToken: cancellationToken));
    }
}
