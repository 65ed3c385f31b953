using FluentValidation;

namespace ContentApi.Changes;

internal sealed class ChangesQueryValidator : AbstractValidator<ChangesQuery>
{
    public ChangesQueryValidator()
    {
        RuleFor(q => q.PageSize).InclusiveBetween(1, ChangesQuery.MaxPageSize);
        RuleFor(q => q.Since).Must(since => since is null || since.Length is > 0 and <= ChangesQuery.MaxTokenLength)
            .WithMessage($"'since' must be a token from the feed's `next` (1 to {ChangesQuery.MaxTokenLength} characters).");
    }
}
