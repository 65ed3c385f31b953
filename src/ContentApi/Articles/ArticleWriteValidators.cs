using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Articles;

/// <summary>The article as written; each failure names its field by path (<c>body[3].text</c>, <c>people[1].slug</c>).</summary>
internal sealed class ArticleWriteValidator : AbstractValidator<ArticleWrite>
{
    public static readonly string[] Statuses = ["draft", "published", "archived"];
    private static readonly string[] PersonRoles = ["subject", "quoted", "mentioned"];
    private static readonly string[] OrganisationRoles = ["subject", "mentioned"];

    public ArticleWriteValidator()
    {
        RuleFor(a => a.Title).NotEmpty().MaximumLength(ArticleLimits.Title).Must(CleanText.IsClean).WithMessage($"'title' {CleanText.Message}");
        RuleFor(a => a.Slug).Must(slug => slug is null || Slugs.IsValid(slug)).WithMessage(_ => Slugs.Message("slug"));
        RuleFor(a => a.Summary).NotNull().MaximumLength(ArticleLimits.Summary).Must(CleanText.IsClean).WithMessage($"'summary' {CleanText.Message}");
        RuleFor(a => a.Language).NotNull().Matches("^[a-z]{2}$").WithMessage("'language' must be an ISO 639-1 code (the BCP 47 primary subtag) of two lower-case letters.");
        RuleFor(a => a.Status).Must(Statuses.Contains).WithMessage($"'status' must be one of: {string.Join(", ", Statuses)}.");
        RuleFor(a => a.CoverageEnd).GreaterThanOrEqualTo(a => a.CoverageStart)
            .When(a => a.CoverageStart is not null && a.CoverageEnd is not null)
            .WithMessage("'coverageEnd' must not be before 'coverageStart'.");
        RuleFor(a => a.Image!).SetValidator(new ArticleImageValidator()).When(a => a.Image is not null);

        RuleFor(a => a.Body).Must(body => body is null || body.Count <= ArticleLimits.BodyBlocks)
            .WithMessage($"'body' holds at most {ArticleLimits.BodyBlocks} blocks.");
        RuleForEach(a => a.Body).SetValidator(new BodyBlockValidator());

        RuleFor(a => a.Event).Must(slug => slug is null || Slugs.IsValid(slug)).WithMessage(_ => Slugs.Message("event"));
        RuleFor(a => a.People).Must(Distinct<LinkedPerson>(p => p.Slug)).WithMessage("'people' lists a person twice.")
            .Must(AtMostLinks).WithMessage($"'people' lists at most {ArticleLimits.Links} people.");
        RuleForEach(a => a.People).ChildRules(person =>
        {
            person.RuleFor(p => p.Slug).Must(Slugs.IsValid).WithMessage(_ => Slugs.Message("slug"));
            person.RuleFor(p => p.Role).Must(PersonRoles.Contains).WithMessage($"'role' must be one of: {string.Join(", ", PersonRoles)}.");
        });
        RuleFor(a => a.Organisations).Must(Distinct<LinkedOrganisation>(o => o.Slug)).WithMessage("'organisations' lists an organisation twice.")
            .Must(AtMostLinks).WithMessage($"'organisations' lists at most {ArticleLimits.Links} organisations.");
        RuleForEach(a => a.Organisations).ChildRules(organisation =>
        {
            organisation.RuleFor(o => o.Slug).Must(Slugs.IsValid).WithMessage(_ => Slugs.Message("slug"));
            organisation.RuleFor(o => o.Role).Must(OrganisationRoles.Contains).WithMessage($"'role' must be one of: {string.Join(", ", OrganisationRoles)}.");
        });
        foreach (var (list, name) in new (Func<ArticleWrite, IReadOnlyList<string>?> List, string Name)[]
                 { (a => a.Places, "places"), (a => a.Tags, "tags"), (a => a.Authors, "authors") })
        {
            RuleFor(a => list(a)).Must(Distinct<string>(s => s)).WithMessage($"'{name}' lists a slug twice.")
                .Must(AtMostLinks).WithMessage($"'{name}' lists at most {ArticleLimits.Links} slugs.")
                .OverridePropertyName(name);
            RuleForEach(a => list(a)).Must(Slugs.IsValid).WithMessage(_ => Slugs.Message("slug")).OverridePropertyName(name);
        }
    }

    private static Func<IReadOnlyList<T>?, bool> Distinct<T>(Func<T, string> key) =>
        items => items is null || items.Select(key).Distinct(StringComparer.Ordinal).Count() == items.Count;

    private static bool AtMostLinks<T>(IReadOnlyList<T>? items) => items is null || items.Count <= ArticleLimits.Links;
}

internal sealed class ArticleImageValidator : AbstractValidator<ArticleImage>
{
    public ArticleImageValidator()
    {
        RuleFor(i => i.Url).NotEmpty().MaximumLength(ArticleLimits.Url).Must(IsHttpsUrl).WithMessage("'url' must be an absolute https URL.");
        RuleFor(i => i.Alt).NotEmpty().MaximumLength(ArticleLimits.Alt).Must(CleanText.IsClean).WithMessage($"'alt' {CleanText.Message}");
        RuleFor(i => i.Caption).MaximumLength(ArticleLimits.Caption).Must(CleanText.IsClean).WithMessage($"'caption' {CleanText.Message}");
        RuleFor(i => i.Credit).MaximumLength(ArticleLimits.Credit).Must(CleanText.IsClean).WithMessage($"'credit' {CleanText.Message}");
        RuleFor(i => i.Width).InclusiveBetween(1, ArticleLimits.ImageSide);
        RuleFor(i => i.Height).InclusiveBetween(1, ArticleLimits.ImageSide);
    }

    public static bool IsHttpsUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && !string.IsNullOrEmpty(uri.Host);
}

/// <summary>Each block type takes its own fields, and only those.</summary>
internal sealed class BodyBlockValidator : AbstractValidator<BodyBlock>
{
    private static readonly string[] Types = ["paragraph", "heading", "quote", "list", "image"];

    public BodyBlockValidator()
    {
        RuleFor(b => b.Type).Must(Types.Contains).WithMessage($"'type' must be one of: {string.Join(", ", Types)}.");
        When(b => b.Type is "paragraph" or "heading" or "quote", () =>
        {
            RuleFor(b => b.Text).NotEmpty().MaximumLength(ArticleLimits.BlockText).Must(text => text is null || text.Trim().Length > 0)
                .WithMessage("'text' must not be blank.").Must(CleanText.IsClean).WithMessage($"'text' {CleanText.Message}");
        });
        RuleFor(b => b.Level).NotNull().InclusiveBetween(2, 6).When(b => b.Type == "heading");
        RuleFor(b => b.Person).Must(slug => slug is null || Slugs.IsValid(slug)).WithMessage(_ => Slugs.Message("person")).When(b => b.Type == "quote");
        When(b => b.Type == "list", () =>
        {
            RuleFor(b => b.Items).NotEmpty().Must(items => items is null || items.Count <= ArticleLimits.ListItems)
                .WithMessage($"'items' holds 1 to {ArticleLimits.ListItems} items.");
            RuleForEach(b => b.Items).NotEmpty().MaximumLength(ArticleLimits.BlockText).Must(CleanText.IsClean).WithMessage($"an item {CleanText.Message}");
        });
        When(b => b.Type == "image", () =>
        {
            RuleFor(b => b.Url).NotEmpty().MaximumLength(ArticleLimits.Url).Must(ArticleImageValidator.IsHttpsUrl).WithMessage("'url' must be an absolute https URL.");
            RuleFor(b => b.Alt).NotEmpty().MaximumLength(ArticleLimits.Alt).Must(CleanText.IsClean).WithMessage($"'alt' {CleanText.Message}");
            RuleFor(b => b.Caption).MaximumLength(ArticleLimits.Caption).Must(CleanText.IsClean).WithMessage($"'caption' {CleanText.Message}");
            RuleFor(b => b.Credit).MaximumLength(ArticleLimits.Credit).Must(CleanText.IsClean).WithMessage($"'credit' {CleanText.Message}");
            RuleFor(b => b.Width).InclusiveBetween(1, ArticleLimits.ImageSide);
            RuleFor(b => b.Height).InclusiveBetween(1, ArticleLimits.ImageSide);
        });

        // Fields of other block types are not silently stored.
        RuleFor(b => b.Text).Null().When(b => b.Type is "list" or "image").WithMessage("'text' is not a field of this block type.");
        RuleFor(b => b.Person).Null().When(b => b.Type != "quote").WithMessage("'person' belongs to quote blocks only.");
        RuleFor(b => b.Level).Null().When(b => b.Type != "heading").WithMessage("'level' belongs to heading blocks only.");
        RuleFor(b => b.Items).Null().When(b => b.Type != "list").WithMessage("'items' belongs to list blocks only.");
        RuleFor(b => b.Ordered).Null().When(b => b.Type != "list").WithMessage("'ordered' belongs to list blocks only.");
        RuleFor(b => b.Url).Null().When(b => b.Type != "image").WithMessage("'url' belongs to image blocks only.");
        RuleFor(b => b.Alt).Null().When(b => b.Type != "image").WithMessage("'alt' belongs to image blocks only.");
        RuleFor(b => b.Caption).Null().When(b => b.Type != "image").WithMessage("'caption' belongs to image blocks only.");
        RuleFor(b => b.Credit).Null().When(b => b.Type != "image").WithMessage("'credit' belongs to image blocks only.");
        RuleFor(b => b.Width).Null().When(b => b.Type != "image").WithMessage("'width' belongs to image blocks only.");
        RuleFor(b => b.Height).Null().When(b => b.Type != "image").WithMessage("'height' belongs to image blocks only.");
    }
}

internal sealed class ListRevisionsQueryValidator : AbstractValidator<ListRevisionsQuery>
{
    public ListRevisionsQueryValidator(PagedQueryValidator paging) => Include(paging);
}
