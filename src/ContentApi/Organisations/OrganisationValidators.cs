using ContentApi.Entities;
using FluentValidation;

namespace ContentApi.Organisations;

internal sealed class OrganisationWriteValidator : AbstractValidator<OrganisationWrite>
{
    private static readonly string[] Kinds =
        ["government-agency", "security-service", "law-enforcement", "intelligence-service", "international-organisation", "company", "ngo", "media", "other"];

    public OrganisationWriteValidator()
    {
        EntityRules.NameAndSlug(this, o => o.Name, o => o.Slug);
        RuleFor(o => o.Acronym).CleanTextUpTo("acronym", EntityLimits.Acronym).Must(a => a is null || a.Trim().Length > 0).WithMessage("'acronym' must not be blank.");
        RuleFor(o => o.Kind).Must(Kinds.Contains).WithMessage($"'kind' must be one of: {string.Join(", ", Kinds)}.");
        RuleFor(o => o.Country).Country();
        RuleFor(o => o.Description).CleanTextUpTo("description", EntityLimits.Description);
        RuleFor(o => o.Parent).Reference("parent");
        RuleFor(o => o.Parent).NotEqual(o => o.Slug).When(o => o.Slug is not null).WithMessage("An organisation cannot be its own parent.");
    }
}
