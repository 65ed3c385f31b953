using ContentApi.Entities;
using FluentValidation;

namespace ContentApi.Places;

internal sealed class PlaceWriteValidator : AbstractValidator<PlaceWrite>
{
    private static readonly string[] Kinds = ["city", "region", "country", "venue", "other"];

    public PlaceWriteValidator()
    {
        EntityRules.NameAndSlug(this, p => p.Name, p => p.Slug);
        RuleFor(p => p.Kind).Must(Kinds.Contains).WithMessage($"'kind' must be one of: {string.Join(", ", Kinds)}.");
        RuleFor(p => p.Country).Country();
    }
}
