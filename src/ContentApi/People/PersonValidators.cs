using ContentApi.Entities;
using FluentValidation;

namespace ContentApi.People;

internal sealed class PersonWriteValidator : AbstractValidator<PersonWrite>
{
    public PersonWriteValidator()
    {
        EntityRules.NameAndSlug(this, p => p.Name, p => p.Slug);
        RuleFor(p => p.Description).CleanTextUpTo("description", EntityLimits.Description);
        RuleFor(p => p.Affiliations).Must(a => a is null || a.Count <= EntityLimits.Affiliations)
            .WithMessage($"'affiliations' holds at most {EntityLimits.Affiliations} positions.")
            .Must(a => a is null || a.Select(x => (x.Organisation, x.Title)).Distinct().Count() == a.Count)
            .WithMessage("'affiliations' lists the same position twice.");
        RuleForEach(p => p.Affiliations).ChildRules(affiliation =>
        {
            affiliation.RuleFor(a => a.Organisation).NotEmpty().Reference("organisation");
            affiliation.RuleFor(a => a.Title).NotEmpty().CleanTextUpTo("title", EntityLimits.Name);
            affiliation.RuleFor(a => a.To).GreaterThanOrEqualTo(a => a.From)
                .When(a => a.From is not null && a.To is not null)
                .WithMessage("'to' must not be before 'from'.");
        });
    }
}
