using System.Globalization;
using System.Text.Encodings.Web;
using ContentApi.Infrastructure.Http;
using FluentValidation;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

internal sealed class PagingOptions
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Page-number paging reaches this many items; deeper reads use the cursor.</summary>
    public int MaxOffsetItems { get; set; } = 10_000;

    /// <summary>Base64 key (≥ 32 bytes) that signs cursors; by default one stored in PostgreSQL.</summary>
    public string? CursorSecret { get; set; }
}

/// <summary>The paging parameters every list takes.</summary>
internal interface IPagedQuery
{
    int? Page { get; }
    int? PageSize { get; }
    string? Cursor { get; }
}

internal static class PagedQueryExtensions
{
    public static int PageNumber(this IPagedQuery query) => query.Page ?? 1;

    public static int Size(this IPagedQuery query) => query.PageSize ?? PagingOptions.DefaultPageSize;

    /// <summary>Where a numbered page starts; validated to fit (page-number paging reaches MaxOffsetItems only).</summary>
    public static int Offset(this IPagedQuery query) => (int)UncheckedOffset(query);

    /// <summary>The offset in 64 bits: page × pageSize overflows an int long before the validator's limit.</summary>
    public static long UncheckedOffset(this IPagedQuery query) => ((long)query.PageNumber() - 1) * query.Size();
}

/// <summary>The paging parameters of a list, as query parameters.</summary>
public record PagingQuery : IPagedQuery
{
    /// <summary>Cursors this API issues are far shorter; anything longer is refused unread.</summary>
    public const int MaxCursorLength = 500;

    /// <summary>1-based page number (default 1); reaches the first 10,000 items. Not with `cursor`.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page")]
    [DocumentedRange(1, 10_000)]
    public int? Page { get; init; }

    /// <summary>Items per page, 1 to 100 (default 20).</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "pageSize")]
    [DocumentedRange(1, PagingOptions.MaxPageSize)]
    public int? PageSize { get; init; }

    /// <summary>Opaque keyset position from a `next` or `prev` link; same cost at any depth.</summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor")]
    [DocumentedMaxLength(MaxCursorLength)]
    public string? Cursor { get; init; }
}

internal sealed class PagingQueryValidator : AbstractValidator<PagingQuery>
{
    public PagingQueryValidator(PagedQueryValidator paging) => Include(paging);
}

/// <summary>Shared rules for page, pageSize and cursor; each list's validator includes it.</summary>
internal sealed class PagedQueryValidator : AbstractValidator<IPagedQuery>
{
    public PagedQueryValidator(IOptions<PagingOptions> options)
    {
        var maxOffsetItems = options.Value.MaxOffsetItems;
        RuleFor(q => q.Page).GreaterThanOrEqualTo(1);
        RuleFor(q => q.PageSize).InclusiveBetween(1, PagingOptions.MaxPageSize);
        RuleFor(q => q.Page)
            .Must((query, _) => query.UncheckedOffset() + query.Size() <= maxOffsetItems)
            .When(q => q.Page >= 1 && q.PageSize is null or (>= 1 and <= PagingOptions.MaxPageSize))
            .WithMessage($"Page-number paging reaches the first {maxOffsetItems} items only; follow the 'next' link (cursor) to read deeper.");
        RuleFor(q => q.Cursor)
            .MaximumLength(PagingQuery.MaxCursorLength)
            .WithMessage("The cursor is not valid for this list: follow a 'next' or 'prev' link of the same query unchanged.");
        RuleFor(q => q.Cursor)
            .Null()
            .When(q => q.Page is not null)
            .WithMessage("Use either 'page' or 'cursor', not both.");
    }
}

/// <summary>Page metadata of a list response.</summary>
/// <param name="Number">The 1-based page number; null on a page reached by cursor.</param>
/// <param name="Size">The page size asked for.</param>
/// <param name="TotalItems">How many items the whole list has.</param>
/// <param name="TotalItemsEstimated">Whether `totalItems` (and `totalPages`) is an estimate, never below 1,000: a search, or an article list of published articles (a reader's, or an editor's with `status=published`) whose only filters are `q` and at most `language`, `publishedFrom` and `publishedTo`, counts its article matches up to 1,000 and past that estimates them from a sample of the articles spread over the years; beside one metadata filter, an event range or both as well, from the same sample, or from the share of the linked articles that matched.</param>
/// <param name="TotalPages">How many pages of this size the list has.</param>
public sealed record PageInfo(int? Number, int Size, long TotalItems, bool TotalItemsEstimated, int TotalPages)
{
    public static PageInfo Example { get; } = new(1, 20, 1, false, 1);
}

/// <summary>
/// Navigation links of a list response, also sent as an RFC 8288 Link header. <c>next</c> and
/// <c>prev</c> carry keyset cursors, so following them costs the same at any depth.
/// </summary>
/// <param name="Self">This page.</param>
/// <param name="First">The first page.</param>
/// <param name="Next">The following page, or null on the last one.</param>
/// <param name="Prev">The preceding page, or null on the first one.</param>
public sealed record PageLinks(string Self, string First, string? Next, string? Prev)
{
    public static PageLinks Example { get; } = new("/v1/articles?page=1&pageSize=20", "/v1/articles?page=1&pageSize=20", null, null);
}

/// <summary>The envelope of every list.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, PageInfo Page, PageLinks Links);

/// <summary>
/// The links of one list page: the request's URL with its paging parameters replaced. The
/// request's other parameters are read and encoded once for all of the page's links.
/// </summary>
internal sealed class PageUrls
{
    private static readonly string[] PagingParameters = ["page", "pageSize", "cursor"];

    // The path and the request's other parameters, as QueryHelpers.AddQueryString writes them,
    // ready for the paging parameters: "/v1/articles?tag=x&" or "/v1/articles?".
    private readonly string prefix;

    public PageUrls(HttpRequest request)
    {
        var kept = request.Query
            .Where(p => !PagingParameters.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .ToList();
        var path = request.Path.Value ?? "/";
        prefix = kept.Count == 0 ? path + "?" : QueryHelpers.AddQueryString(path, kept) + "&";
    }

    /// <summary>This list at <paramref name="page"/> or <paramref name="cursor"/>, <paramref name="pageSize"/> items a page.</summary>
    public string With(int pageSize, int? page = null, string? cursor = null) => string.Create(CultureInfo.InvariantCulture,
        $"{prefix}{(page is { } number ? $"page={number}&" : "")}{(cursor is null ? "" : $"cursor={UrlEncoder.Default.Encode(cursor)}&")}pageSize={pageSize}");

    public static string LinkHeader(PageLinks links)
    {
        var parts = new List<string> { $"<{links.First}>; rel=\"first\"" };
        if (links.Prev is not null)
        {
            parts.Add($"<{links.Prev}>; rel=\"prev\"");
        }

        if (links.Next is not null)
        {
            parts.Add($"<{links.Next}>; rel=\"next\"");
        }

        return string.Join(", ", parts);
    }
}
