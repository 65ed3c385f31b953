using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Articles;

internal static class ArticleSorts
{
    public const string Newest = "-publishedAt";
    public const string Oldest = "publishedAt";
    public const string Title = "title";
    public const string Relevance = "relevance";

    public static readonly string[] All = [Newest, Oldest, Title, Relevance];
}

internal sealed class ArticlePagingQueryValidator<T> : AbstractValidator<T> where T : ArticlePagingQuery
{
    public ArticlePagingQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
        RuleFor(q => q.Sort)
            .Must(sort => sort is null || ArticleSorts.All.Contains(sort))
            .WithMessage($"'sort' must be one of: {string.Join(", ", ArticleSorts.All)}.");
    }
}

internal sealed class LinkedArticlesQueryValidator : AbstractValidator<LinkedArticlesQuery>
{
    public LinkedArticlesQueryValidator(PagedQueryValidator paging)
    {
        Include(new ArticlePagingQueryValidator<LinkedArticlesQuery>(paging));
        RuleFor(q => q.Sort).NotEqual(ArticleSorts.Relevance).WithMessage("'sort=relevance' needs a full-text query: use /v1/articles?q=…");
    }
}

internal sealed class ListArticlesQueryValidator : AbstractValidator<ListArticlesQuery>
{
    public ListArticlesQueryValidator(PagedQueryValidator paging)
    {
        Include(new ArticlePagingQueryValidator<ListArticlesQuery>(paging));
        RuleFor(q => q.Tag).Must(IsSlug).WithMessage(_ => Slugs.Message("tag"));
        RuleFor(q => q.Person).Must(IsSlug).WithMessage(_ => Slugs.Message("person"));
        RuleFor(q => q.Organisation).Must(IsSlug).WithMessage(_ => Slugs.Message("organisation"));
        RuleFor(q => q.Event).Must(IsSlug).WithMessage(_ => Slugs.Message("event"));
        RuleFor(q => q.Place).Must(IsSlug).WithMessage(_ => Slugs.Message("place"));
        RuleFor(q => q.Author).Must(IsSlug).WithMessage(_ => Slugs.Message("author"));
        RuleFor(q => q.Status).Must(status => status is null or "draft" or "scheduled" or "published" or "archived")
            .WithMessage("'status' must be one of: draft, scheduled, published, archived.");
        RuleFor(q => q.Language).Matches("^[a-z]{2}$").WithMessage("'language' must be an ISO 639-1 code of two lower-case letters.");
        RuleFor(q => q.Q).Must(q => q is null || FullTextQueries.HasLength(q))
            .WithMessage($"'q' must have 1 to {FullTextQueries.MaxLength} characters.");
        RuleFor(q => q.Q).Must(CleanText.IsClean).WithMessage($"'q' {CleanText.Message}");
        RuleFor(q => q.Q).Must(FullTextQueries.HasPositiveTerm).WithMessage($"'q' {FullTextQueries.NoPositiveTermMessage}");
        RuleFor(q => q.Sort).Must((query, sort) => sort != ArticleSorts.Relevance || query.Q is not null)
            .WithMessage("'sort=relevance' needs a full-text query 'q'.");
        RuleFor(q => q.PublishedTo).GreaterThanOrEqualTo(q => q.PublishedFrom)
            .When(q => q.PublishedFrom is not null && q.PublishedTo is not null)
            .WithMessage("'publishedTo' must not be before 'publishedFrom'.");
        RuleFor(q => q.EventTo).GreaterThanOrEqualTo(q => q.EventFrom)
            .When(q => q.EventFrom is not null && q.EventTo is not null)
            .WithMessage("'eventTo' must not be before 'eventFrom'.");
    }

    private static bool IsSlug(string? value) => value is null || Slugs.IsValid(value);
}
