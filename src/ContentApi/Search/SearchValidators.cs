using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Search;

internal sealed class SearchQueryValidator : AbstractValidator<SearchQuery>
{
    public const int MaxQueryLength = 200;

    public SearchQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
        RuleFor(q => q.Q).Must(q => q is not null && q.Trim().Length is > 0 and <= MaxQueryLength)
            .WithMessage($"'q' is required and must have 1 to {MaxQueryLength} characters.");
        RuleFor(q => q.Q).Must(CleanText.IsClean).WithMessage($"'q' {CleanText.Message}");
        RuleFor(q => q.Q).Must(FullTextQueries.HasPositiveTerm).WithMessage($"'q' {FullTextQueries.NoPositiveTermMessage}");
        RuleFor(q => q.Types).Must(types => SearchQueries.ParseTypes(types) is not null)
            .WithMessage($"'types' must be a comma-separated list of: {string.Join(", ", SearchQueries.AllTypes)}.");
    }
}
