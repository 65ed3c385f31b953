using System.Globalization;
using FluentValidation;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ContentApi.Infrastructure.Http;

internal sealed class PagingOptions
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Page-number paging reaches this many items; deeper reads use the cursor.</summary>
    public int MaxOffsetItems { get; set; } = 10_000;
}

/// <summary>The paging parameters every list takes.</summary>
internal interface IPagedQuery
{
    int? Page { get; }
    int? PageSize { get; }
}

internal static class PagedQueryExtensions
{
    public static int PageNumber(this IPagedQuery query) => query.Page ?? 1;

    public static int Size(this IPagedQuery query) => query.PageSize ?? PagingOptions.DefaultPageSize;

    public static int Offset(this IPagedQuery query) => (query.PageNumber() - 1) * query.Size();
}

/// <summary>Shared rules for page and pageSize; each list's validator includes it.</summary>
internal sealed class PagedQueryValidator : AbstractValidator<IPagedQuery>
{
    public PagedQueryValidator(IOptions<PagingOptions> options)
    {
        var maxOffsetItems = options.Value.MaxOffsetItems;
        RuleFor(q => q.Page).GreaterThanOrEqualTo(1);
        RuleFor(q => q.PageSize).InclusiveBetween(1, PagingOptions.MaxPageSize);
        RuleFor(q => q.Page)
            .Must((query, _) => (long)query.Offset() + query.Size() <= maxOffsetItems)
            .When(q => q.Page >= 1 && q.PageSize is null or (>= 1 and <= PagingOptions.MaxPageSize))
            .WithMessage($"Page-number paging reaches the first {maxOffsetItems} items only; follow the 'next' link (cursor) to read deeper.");
    }
}

/// <summary>Page metadata of a list response.</summary>
/// <param name="Number">The 1-based page number.</param>
/// <param name="Size">The page size asked for.</param>
/// <param name="TotalItems">How many items the whole list has.</param>
/// <param name="TotalPages">How many pages of this size the list has.</param>
public sealed record PageInfo(int Number, int Size, long TotalItems, int TotalPages);

/// <summary>Navigation links of a list response (also sent as an RFC 8288 Link header).</summary>
public sealed record PageLinks(string Self, string? Next, string? Prev, string First, string Last);

/// <summary>The envelope of every list.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, PageInfo Page, PageLinks Links);

internal static class Paged
{
    public static Paged<T> Create<T>(HttpContext httpContext, IPagedQuery query, IReadOnlyList<T> items, long totalItems)
    {
        var number = query.PageNumber();
        var size = query.Size();
        var totalPages = (int)Math.Max(1, (totalItems + size - 1) / size);
        var request = httpContext.Request;
        var links = new PageLinks(
            Self: PageUrl(request, number, size),
            Next: number < totalPages ? PageUrl(request, number + 1, size) : null,
            Prev: number > 1 ? PageUrl(request, Math.Min(number - 1, totalPages), size) : null,
            First: PageUrl(request, 1, size),
            Last: PageUrl(request, totalPages, size));
        httpContext.Response.Headers.Link = LinkHeader(links);
        return new Paged<T>(items, new PageInfo(number, size, totalItems, totalPages), links);
    }

    private static string PageUrl(HttpRequest request, int page, int size)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value)
            .Where(p => p.Key is not ("page" or "pageSize"))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new("page", page.ToString(CultureInfo.InvariantCulture)))
            .Append(new("pageSize", size.ToString(CultureInfo.InvariantCulture)));
        return QueryHelpers.AddQueryString(request.Path.Value ?? "/", query);
    }

    private static string LinkHeader(PageLinks links)
    {
        var parts = new List<string> { $"<{links.First}>; rel=\"first\"", $"<{links.Last}>; rel=\"last\"" };
        if (links.Next is not null)
        {
            parts.Add($"<{links.Next}>; rel=\"next\"");
        }

        if (links.Prev is not null)
        {
            parts.Add($"<{links.Prev}>; rel=\"prev\"");
        }

        return string.Join(", ", parts);
    }
}
