using ContentApi.Articles;
using ContentApi.Entities;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Organisations;

/// <summary>An organisation in a list.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Full name.</param>
/// <param name="Acronym">Acronym, e.g. FSB.</param>
/// <param name="Kind">government-agency | security-service | law-enforcement | intelligence-service | international-organisation | company | ngo | media | other</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="ArticleCount">Published articles involving the organisation.</param>
public sealed record OrganisationSummary(long Id, string Slug, string Name, string? Acronym, [DocumentedValues("government-agency", "security-service", "law-enforcement", "intelligence-service", "international-organisation", "company", "ngo", "media", "other")] string Kind, string? Country, int ArticleCount)
{
    public static OrganisationSummary Example { get; } = new(1, "dgsn", "General Directorate of National Security", "DGSN", "law-enforcement", "MA", 1);
}

/// <summary>An organisation with its hierarchy, people and latest articles.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Full name.</param>
/// <param name="Acronym">Acronym.</param>
/// <param name="Kind">government-agency | security-service | law-enforcement | intelligence-service | international-organisation | company | ngo | media | other</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="Description">What the organisation is.</param>
/// <param name="Parent">The organisation this one belongs to.</param>
/// <param name="Children">Organisations that belong to this one.</param>
/// <param name="People">People affiliated with it.</param>
/// <param name="ArticleCount">Published articles involving the organisation.</param>
/// <param name="LatestArticles">The five newest of them, with the organisation's role in each.</param>
public sealed record OrganisationDetail(
    long Id, string Slug, string Name, string? Acronym, [DocumentedValues("government-agency", "security-service", "law-enforcement", "intelligence-service", "international-organisation", "company", "ngo", "media", "other")] string Kind, string? Country, string? Description,
    OrganisationReference? Parent, IReadOnlyList<OrganisationReference> Children, IReadOnlyList<AffiliatedPerson> People,
    int ArticleCount, IReadOnlyList<ArticleInvolvement> LatestArticles)
{
    public static OrganisationDetail Example { get; } = new(1, "dgsn", "General Directorate of National Security", "DGSN", "law-enforcement", "MA", "Morocco's national police service (Direction Générale de la Sûreté Nationale).", null, [], [AffiliatedPerson.Example], 1, [ArticleInvolvement.Example]);
}

/// <summary>A link to an organisation.</summary>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Full name.</param>
/// <param name="Acronym">Acronym.</param>
public sealed record OrganisationReference(string Slug, string Name, string? Acronym)
{
    public static OrganisationReference Example { get; } = new("dgsn", "General Directorate of National Security", "DGSN");
}

/// <summary>A person affiliated with an organisation.</summary>
/// <param name="Slug">URL key of the person.</param>
/// <param name="Name">Full name.</param>
/// <param name="Title">Position held.</param>
/// <param name="From">First day, when known.</param>
/// <param name="To">Last day; null while current.</param>
public sealed record AffiliatedPerson(string Slug, string Name, string Title, DateOnly? From, DateOnly? To)
{
    public static AffiliatedPerson Example { get; } = new("abdellatif-hammouchi", "Abdellatif Hammouchi", "Director General", null, null);
}

/// <summary>An organisation as an editor writes it.</summary>
/// <param name="Name">Full name, 1 to 300 characters.</param>
/// <param name="Slug">URL key; derived from the name when absent on creation, kept when absent on a replace.</param>
/// <param name="Acronym">Acronym, e.g. FSB (at most 30 characters).</param>
/// <param name="Kind">What kind of organisation it is (default other).</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="Description">What the organisation is.</param>
/// <param name="Parent">Slug of the organisation this one belongs to; never itself or one that belongs to it.</param>
public sealed record OrganisationWrite(
    [DocumentedMaxLength(EntityLimits.Name)] string Name,
    [DocumentedSlug] string? Slug = null,
    [DocumentedMaxLength(EntityLimits.Acronym)] string? Acronym = null,
    [DocumentedValues("government-agency", "security-service", "law-enforcement", "intelligence-service", "international-organisation", "company", "ngo", "media", "other")] string Kind = "other",
    [DocumentedPattern(EntityLimits.CountryPattern, 2)] string? Country = null,
    [DocumentedMaxLength(EntityLimits.Description)] string? Description = null,
    [DocumentedSlug] string? Parent = null)
{
    public static OrganisationWrite Example { get; } = new("Federal Security Service", Acronym: "FSB", Kind: "security-service", Country: "RU", Description: "Russia's Federal Security Service.");
}
