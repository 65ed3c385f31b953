using ContentApi.Articles;
using ContentApi.Entities;
using ContentApi.Infrastructure.Http;
using FluentValidation;

namespace ContentApi.Authors;

internal sealed class AuthorWriteValidator : AbstractValidator<AuthorWrite>
{
    public AuthorWriteValidator()
    {
        EntityRules.NameAndSlug(this, a => a.Name, a => a.Slug);
        RuleFor(a => a.Bio).CleanTextUpTo("bio", EntityLimits.Description);
        RuleFor(a => a.Url).MaximumLength(EntityLimits.Url).Must(url => url is null || WebUrls.IsWebUrl(url)).WithMessage("'url' must be an absolute http or https URL.");
        RuleFor(a => a.Image).MaximumLength(EntityLimits.Url).Must(url => url is null || ArticleImageValidator.IsHttpsUrl(url)).WithMessage("'image' must be an absolute https URL.");
    }
}
