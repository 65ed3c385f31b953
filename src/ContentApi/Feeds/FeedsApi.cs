using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Dapper;
using Npgsql;

namespace ContentApi.Feeds;

/// <summary>Paging-free filters of a feed: the latest articles of everything, or of one tag, person, organisation or event.</summary>
public sealed record FeedQuery
{
    /// <summary>Only articles with this tag (slug).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "tag")]
    [DocumentedSlug]
    public string? Tag { get; init; }

    /// <summary>Only articles involving this person (slug).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "person")]
    [DocumentedSlug]
    public string? Person { get; init; }

    /// <summary>Only articles involving this organisation (slug).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "organisation")]
    [DocumentedSlug]
    public string? Organisation { get; init; }

    /// <summary>Only articles about this event (slug).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "event")]
    [DocumentedSlug]
    public string? Event { get; init; }
}

/// <summary>
/// RSS 2.0 and Atom feeds of the latest published articles (all, or of a tag, person,
/// organisation or event) and a Google News sitemap of the last two days' articles. Each is
/// conditional on the content watermark, like every public list.
/// </summary>
internal static class FeedsApi
{
    private const int FeedSize = 50;
    private const string Rss = "application/rss+xml";
    private const string Atom = "application/atom+xml";
    private const string Sitemap = "application/xml";
    private const string DublinCore = "http://purl.org/dc/elements/1.1/";

    public static RouteGroupBuilder MapFeedsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("Feeds");
        group.MapGet("/feeds/articles.rss", ArticlesRss)
            .WithName(nameof(ArticlesRss))
            .WithSummary("RSS 2.0 feed of the latest articles")
            .WithDescription("The 50 latest published articles, or those of one tag, person, organisation or event. Conditional with If-None-Match / If-Modified-Since.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, null, [Rss]));
        group.MapGet("/feeds/articles.atom", ArticlesAtom)
            .WithName(nameof(ArticlesAtom))
            .WithSummary("Atom feed of the latest articles")
            .WithDescription("The same articles as the RSS feed, as Atom 1.0.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, null, [Atom]));
        group.MapGet("/sitemaps/news.xml", NewsSitemap)
            .WithName(nameof(NewsSitemap))
            .WithSummary("Google News sitemap")
            .WithDescription("The articles published in the last two days (at most 1,000), with news:publication, news:publication_date and news:title.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, null, [Sitemap]));
        return group;
    }

    /// <param name="query">Which articles.</param>
    public static Task<IResult> ArticlesRss([AsParameters] FeedQuery query, ReadRouting routing, ConditionalRequests conditionalRequests, IConfiguration configuration, HttpContext httpContext, CancellationToken cancellationToken) =>
        FeedAsync(query, routing, conditionalRequests, httpContext, Rss, (writer, articles, baseUrl) => WriteRss(writer, articles, baseUrl, Publication(configuration)), cancellationToken);

    /// <param name="query">Which articles.</param>
    public static Task<IResult> ArticlesAtom([AsParameters] FeedQuery query, ReadRouting routing, ConditionalRequests conditionalRequests, IConfiguration configuration, HttpContext httpContext, CancellationToken cancellationToken) =>
        FeedAsync(query, routing, conditionalRequests, httpContext, Atom, (writer, articles, baseUrl) => WriteAtom(writer, articles, baseUrl, Publication(configuration), httpContext.Request), cancellationToken);

    public static async Task<IResult> NewsSitemap(ReadRouting routing, ConditionalRequests conditionalRequests, IConfiguration configuration, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var db = await routing.SourceForAsync(httpContext, cancellationToken);
        if (await NotModifiedAsync(db, conditionalRequests, httpContext, cancellationToken) is { } notModified)
        {
            return notModified;
        }

        var sql = $"""
            select a.summary_document::text from articles a
            where {ArticleQueries.IsPublic} and a.published_at > now() - interval '2 days'
            order by a.published_at desc, a.id desc limit 1000
            """;
        var articles = await ReadAsync(db, sql, new SqlParameters(), cancellationToken);
        var baseUrl = ArticleFormats.BaseUrl(httpContext.Request);
        var publication = Publication(configuration);
        return Xml(Sitemap, writer =>
        {
            writer.WriteStartElement("urlset", "http://www.sitemaps.org/schemas/sitemap/0.9");
            writer.WriteAttributeString("xmlns", "news", null, "http://www.google.com/schemas/sitemap-news/0.9");
            foreach (var article in articles)
            {
                writer.WriteStartElement("url");
                writer.WriteElementString("loc", ArticleUrl(baseUrl, article));
                writer.WriteStartElement("news", "news", "http://www.google.com/schemas/sitemap-news/0.9");
                writer.WriteStartElement("news", "publication", null);
                writer.WriteElementString("news", "name", null, publication);
                writer.WriteElementString("news", "language", null, article.Language);
                writer.WriteEndElement();
                writer.WriteElementString("news", "publication_date", null, Iso(article.PublishedAt));
                writer.WriteElementString("news", "title", null, article.Title);
                writer.WriteEndElement();
                writer.WriteEndElement();
            }

            writer.WriteEndElement();
        });
    }

    private static async Task<IResult> FeedAsync(
        FeedQuery query, ReadRouting routing, ConditionalRequests conditionalRequests, HttpContext httpContext, string mediaType,
        Action<XmlWriter, IReadOnlyList<ArticleSummary>, string> write, CancellationToken cancellationToken)
    {
        var db = await routing.SourceForAsync(httpContext, cancellationToken);
        if (await NotModifiedAsync(db, conditionalRequests, httpContext, cancellationToken) is { } notModified)
        {
            return notModified;
        }

        var list = ArticleQueries.ListSpec(new ListArticlesQuery { Tag = query.Tag, Person = query.Person, Organisation = query.Organisation, Event = query.Event });
        // The list's newest, beside the entity its first filter names (its parent, found once),
        // when there is one: none found, nothing listed.
        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            select i.item from ({list.Parent ?? "select null::bigint as id"}) parent
            cross join lateral (select {list.ItemJson}::text as item, {list.Sort.Key0} as key0, {list.Sort.Key1} as key1
                                {list.FromWhere} order by {list.Sort.Key0} desc, {list.Sort.Key1} desc limit {FeedSize}) i
            order by i.key0 desc, i.key1 desc
            """);
        var articles = await ReadAsync(db, sql, list.Parameters, cancellationToken);
        return Xml(mediaType, writer => write(writer, articles, ArticleFormats.BaseUrl(httpContext.Request)));
    }

    private static void WriteRss(XmlWriter writer, IReadOnlyList<ArticleSummary> articles, string baseUrl, string publication)
    {
        writer.WriteStartElement("rss");
        writer.WriteAttributeString("version", "2.0");
        writer.WriteAttributeString("xmlns", "dc", null, DublinCore);
        writer.WriteStartElement("channel");
        writer.WriteElementString("title", publication);
        writer.WriteElementString("link", baseUrl + "/v1/articles");
        writer.WriteElementString("description", $"The latest articles of {publication}.");
        if (articles.Count > 0)
        {
            writer.WriteElementString("lastBuildDate", articles.Max(a => a.UpdatedAt).ToString("R", CultureInfo.InvariantCulture));
        }

        foreach (var article in articles)
        {
            writer.WriteStartElement("item");
            writer.WriteElementString("title", article.Title);
            writer.WriteElementString("link", ArticleUrl(baseUrl, article));
            writer.WriteStartElement("guid");
            writer.WriteAttributeString("isPermaLink", "false");
            writer.WriteString($"{baseUrl}/v1/articles/{article.Id}");
            writer.WriteEndElement();
            writer.WriteElementString("description", article.Summary);
            if (article.PublishedAt is { } published)
            {
                writer.WriteElementString("pubDate", published.ToString("R", CultureInfo.InvariantCulture));
            }

            // RSS's own author element wants an email address; bylines are names.
            foreach (var author in article.Authors)
            {
                writer.WriteElementString("dc", "creator", DublinCore, author.Name);
            }

            writer.WriteEndElement();
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static void WriteAtom(XmlWriter writer, IReadOnlyList<ArticleSummary> articles, string baseUrl, string publication, HttpRequest request)
    {
        const string ns = "http://www.w3.org/2005/Atom";
        writer.WriteStartElement("feed", ns);
        writer.WriteElementString("id", ns, baseUrl + request.Path + request.QueryString);
        writer.WriteElementString("title", ns, publication);
        writer.WriteElementString("updated", ns, Iso(articles.Count > 0 ? articles.Max(a => a.UpdatedAt) : DateTime.UnixEpoch));
        writer.WriteStartElement("link", ns);
        writer.WriteAttributeString("rel", "self");
        writer.WriteAttributeString("href", baseUrl + request.Path + request.QueryString);
        writer.WriteEndElement();
        foreach (var article in articles)
        {
            writer.WriteStartElement("entry", ns);
            writer.WriteElementString("id", ns, $"{baseUrl}/v1/articles/{article.Id}");
            writer.WriteElementString("title", ns, article.Title);
            writer.WriteStartElement("link", ns);
            writer.WriteAttributeString("href", ArticleUrl(baseUrl, article));
            writer.WriteEndElement();
            writer.WriteElementString("updated", ns, Iso(article.UpdatedAt));
            if (article.PublishedAt is { } published)
            {
                writer.WriteElementString("published", ns, Iso(published));
            }

            writer.WriteElementString("summary", ns, article.Summary);
            // Atom wants an author on each entry when the feed names none.
            foreach (var name in article.Authors.Count > 0 ? article.Authors.Select(a => a.Name) : [publication])
            {
                writer.WriteStartElement("author", ns);
                writer.WriteElementString("name", ns, name);
                writer.WriteEndElement();
            }

            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }

    private static async Task<IResult?> NotModifiedAsync(NpgsqlDataSource db, ConditionalRequests conditionalRequests, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var validators = (await ContentWatermark.ReadAsync(db, cancellationToken)).ValidatorsFor(httpContext.Request);
        conditionalRequests.Apply(httpContext.Response, validators);
        CacheTags.Set(httpContext.Response, "articles");
        return ConditionalRequests.HasConditions(httpContext.Request) && ConditionalRequests.IsNotModified(httpContext.Request, validators)
            ? NotModifiedResult.Instance
            : null;
    }

    private static async Task<IReadOnlyList<ArticleSummary>> ReadAsync(NpgsqlDataSource db, string sql, SqlParameters parameters, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var documents = await connection.QueryAsync<string>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return documents.Select(document => JsonSerializer.Deserialize<ArticleSummary>(document, OpenApiContract.ExampleJson)!).ToList();
    }

    private static IResult Xml(string mediaType, Action<XmlWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = false }))
        {
            writer.WriteStartDocument();
            write(writer);
            writer.WriteEndDocument();
        }

        return TypedResults.Bytes(buffer.ToArray(), mediaType + "; charset=utf-8");
    }

    private static string ArticleUrl(string baseUrl, ArticleSummary article) => $"{baseUrl}/v1/articles/{article.Slug}";

    private static string Iso(DateTime? value) => (value ?? DateTime.UnixEpoch).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // The publication's name (Google News: news:name), Publication:Name.
    private static string Publication(IConfiguration configuration) => configuration["Publication:Name"] ?? "ContentApi";
}
