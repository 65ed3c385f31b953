using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Entities;

/// <summary>The limits of the entity tables (their CHECK constraints), for validators and OpenAPI.</summary>
internal static class EntityLimits
{
    public const int Name = 300;
    public const int TagName = 100;
    public const int Acronym = 30;
    public const int City = 200;
    public const int Description = 5000;
    public const int TagDescription = 2000;
    public const int Url = 500;
    public const int Affiliations = 50;
    public const string CountryPattern = "^[A-Z]{2}$";
}

/// <summary>Rules every entity's write document shares: a clean name, a well-formed slug.</summary>
internal static class EntityRules
{
    public static void NameAndSlug<T>(AbstractValidator<T> validator, Func<T, string> name, Func<T, string?> slug, int maxName = EntityLimits.Name)
    {
        validator.RuleFor(e => name(e)).NotEmpty().MaximumLength(maxName).Must(Infrastructure.Http.CleanText.IsClean).WithMessage($"'name' {Infrastructure.Http.CleanText.Message}")
            .OverridePropertyName("name");
        validator.RuleFor(e => slug(e)).Must(s => s is null || Slugs.IsValid(s)).WithMessage(_ => Slugs.Message("slug"))
            .OverridePropertyName("slug");
    }

    public static IRuleBuilderOptions<T, string?> CleanTextUpTo<T>(this IRuleBuilder<T, string?> rule, string field, int maxLength) =>
        rule.MaximumLength(maxLength).Must(Infrastructure.Http.CleanText.IsClean).WithMessage($"'{field}' {Infrastructure.Http.CleanText.Message}");

    public static IRuleBuilderOptions<T, string?> Country<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Matches(EntityLimits.CountryPattern).WithMessage("'country' must be an ISO 3166-1 alpha-2 code of two capital letters.");

    public static IRuleBuilderOptions<T, string?> Reference<T>(this IRuleBuilder<T, string?> rule, string field) =>
        rule.Must(s => s is null || Slugs.IsValid(s)).WithMessage(_ => Slugs.Message(field));
}
