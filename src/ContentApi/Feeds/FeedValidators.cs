using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Feeds;

internal sealed class FeedQueryValidator : AbstractValidator<FeedQuery>
{
    public FeedQueryValidator()
    {
        RuleFor(q => q.Tag).Must(IsSlug).WithMessage(_ => Slugs.Message("tag"));
        RuleFor(q => q.Person).Must(IsSlug).WithMessage(_ => Slugs.Message("person"));
        RuleFor(q => q.Organisation).Must(IsSlug).WithMessage(_ => Slugs.Message("organisation"));
        RuleFor(q => q.Event).Must(IsSlug).WithMessage(_ => Slugs.Message("event"));
    }

    private static bool IsSlug(string? value) => value is null || Slugs.IsValid(value);
}
