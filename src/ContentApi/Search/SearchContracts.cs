using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Search;

/// <summary>One search hit.</summary>
/// <param name="Type">article | person | organisation | event</param>
/// <param name="Slug">URL key of the hit, under /v1/articles, /v1/people, /v1/organisations or /v1/events.</param>
/// <param name="Title">The article's title, or the entity's name.</param>
/// <param name="Snippet">Plain-text extract with each match wrapped in ⟦ and ⟧ (U+27E6, U+27E7).</param>
/// <param name="Rank">Relevance (higher is better): title and name matches weigh most, then summary, then body.</param>
public sealed record SearchHit([DocumentedValues("article", "person", "organisation", "event")] string Type, string Slug, string Title, string Snippet, float Rank)
{
    public static SearchHit Example { get; } = new("article", SeedArticle.Slug, SeedArticle.Title, "Hammouchi promotes a new vision of shared international security cooperation at the ⟦Moscow⟧ international ⟦forum⟧", 0.6f);
}

/// <summary>Query parameters of the search.</summary>
public sealed record SearchQuery : PagingQuery
{
    /// <summary>Web-search syntax: words, "quoted phrases", -excluded words, `or` (1 to 200 characters). Exclusions need a word to find beside them in each alternative (else 400); words as common as "the" are not searched.</summary>
    [FromQuery(Name = "q")]
    [DocumentedMaxLength(200)]
    public string? Q { get; init; }

    /// <summary>Comma-separated kinds to search: articles, people, organisations, events (default: all).</summary>
    [FromQuery(Name = "types")]
    [DocumentedPattern("^(articles|people|organisations|events)(,(articles|people|organisations|events))*$", 100)]
    public string? Types { get; init; }
}
