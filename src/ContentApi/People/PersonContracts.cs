using ContentApi.Articles;
using ContentApi.Entities;
using ContentApi.Infrastructure.Http;
using ContentApi.Organisations;

namespace ContentApi.People;

/// <summary>A person in a list.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key of the person.</param>
/// <param name="Name">Full name.</param>
/// <param name="ArticleCount">Published articles involving the person.</param>
public sealed record PersonSummary(long Id, string Slug, string Name, int ArticleCount)
{
    public static PersonSummary Example { get; } = new(1, "abdellatif-hammouchi", "Abdellatif Hammouchi", 1);
}

/// <summary>A person with their positions and latest articles.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">URL key of the person.</param>
/// <param name="Name">Full name.</param>
/// <param name="Description">Who the person is.</param>
/// <param name="Affiliations">Positions held, in editorial order.</param>
/// <param name="ArticleCount">Published articles involving the person.</param>
/// <param name="LatestArticles">The five newest of them, with the person's role in each.</param>
public sealed record PersonDetail(
    long Id, string Slug, string Name, string? Description, IReadOnlyList<PersonPosition> Affiliations,
    int ArticleCount, IReadOnlyList<ArticleInvolvement> LatestArticles)
{
    public static PersonDetail Example { get; } = new(1, "abdellatif-hammouchi", "Abdellatif Hammouchi", "Director General of Morocco's National Security and Territorial Surveillance (DGSN-DGST).", [PersonPosition.Example], 1, [ArticleInvolvement.Example]);
}

/// <summary>A position a person holds or held.</summary>
/// <param name="Organisation">The organisation.</param>
/// <param name="Title">Position, e.g. Director General.</param>
/// <param name="From">First day, when known.</param>
/// <param name="To">Last day; null while current.</param>
public sealed record PersonPosition(OrganisationReference Organisation, string Title, DateOnly? From, DateOnly? To)
{
    public static PersonPosition Example { get; } = new(OrganisationReference.Example, "Director General", null, null);
}

/// <summary>A person as an editor writes it.</summary>
/// <param name="Name">Full name, 1 to 300 characters.</param>
/// <param name="Slug">URL key; derived from the name when absent on creation, kept when absent on a replace.</param>
/// <param name="Description">Who the person is (at most 5,000 characters).</param>
/// <param name="Affiliations">Positions, in editorial order (at most 50).</param>
public sealed record PersonWrite(
    [DocumentedMaxLength(EntityLimits.Name)] string Name,
    [DocumentedSlug] string? Slug = null,
    [DocumentedMaxLength(EntityLimits.Description)] string? Description = null,
    [DocumentedMaxItems(EntityLimits.Affiliations)] IReadOnlyList<AffiliationWrite>? Affiliations = null)
{
    public static PersonWrite Example { get; } = new("Abdellatif Hammouchi", Description: "Director General of Morocco's National Security and Territorial Surveillance (DGSN-DGST).",
        Affiliations: [AffiliationWrite.Example, new("dgst", "Director General")]);
}

/// <summary>A position a person holds or held, by reference.</summary>
/// <param name="Organisation">Slug of the organisation.</param>
/// <param name="Title">Position, e.g. Director General.</param>
/// <param name="From">First day, when known.</param>
/// <param name="To">Last day; absent while current (not before from).</param>
public sealed record AffiliationWrite([DocumentedSlug] string Organisation, [DocumentedMaxLength(EntityLimits.Name)] string Title, DateOnly? From = null, DateOnly? To = null)
{
    public static AffiliationWrite Example { get; } = new("dgsn", "Director General");
}
