using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Search;

internal sealed class SearchQueryValidator : AbstractValidator<SearchQuery>
{
    public SearchQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
        RuleFor(q => q.Q).Must(q => q is not null && FullTextQueries.HasLength(q))
            .WithMessage($"'q' is required and must have 1 to {FullTextQueries.MaxLength} characters.");
        RuleFor(q => q.Q).Must(CleanText.IsClean).WithMessage($"'q' {CleanText.Message}");
        RuleFor(q => q.Q).Must(FullTextQueries.HasPositiveTerm).WithMessage($"'q' {FullTextQueries.NoPositiveTermMessage}");
        RuleFor(q => q.Types).Must(types => SearchQueries.ParseTypes(types) is not null)
            .WithMessage($"'types' must be a comma-separated list of: {string.Join(", ", SearchQueries.AllTypes)}.");
    }
}
