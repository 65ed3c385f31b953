using ContentApi.Entities;
using FluentValidation;

namespace ContentApi.Tags;

internal sealed class TagWriteValidator : AbstractValidator<TagWrite>
{
    public TagWriteValidator()
    {
        EntityRules.NameAndSlug(this, t => t.Name, t => t.Slug, EntityLimits.TagName);
        RuleFor(t => t.Description).CleanTextUpTo("description", EntityLimits.TagDescription);
    }
}
