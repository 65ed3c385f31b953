using NpgsqlTypes;

namespace ContentApi.Reads;

/// <summary>
/// One way to order a list: two SQL key expressions from a fixed allow-list, the second unique
/// (normally the id), so that a keyset position is exact. <paramref name="Indexed"/>: an index
/// gives the list's items in this order, so that a page number finds its first item by reading
/// the index alone (see <see cref="PublicReads.ListAsync{T}"/>); false for a computed order (a
/// rank) that reads every item whatever the page.
/// </summary>
internal sealed record SortOrder(string Name, string Key0, string Key1, bool Descending, bool Indexed = true);

/// <summary>
/// What a list reads, apart from paging (see <see cref="PublicReads.ListAsync{T}"/> for the
/// statement it becomes). <paramref name="ItemJson"/> renders one item (a shape function);
/// <paramref name="FromWhere"/> is the <c>from … where …</c> of the list (its filters);
/// <paramref name="Scope"/> names the list and its filters, so a cursor works only for the
/// query it was issued for. With <paramref name="ParentExists"/> (a boolean SQL expression) the
/// list belongs to an entity that must exist (else 404 with <paramref name="NotFoundDetail"/>).
/// </summary>
internal sealed record ListSpec(
    string Scope, string ItemJson, string FromWhere, SortOrder Sort, SqlParameters Parameters,
    string? ParentExists = null, string? NotFoundDetail = null)
{
    /// <summary>Public content: validators and public caching. Off for private lists (moderation).</summary>
    public bool IsPublic { get; init; } = true;

    /// <summary>
    /// Whether the list's total is remembered (<see cref="ListTotals"/>): a public list's, and a
    /// private list's of public content (an editor's list of published articles), whose total
    /// the same version follows. Other private lists change without moving it: counted each time.
    /// </summary>
    public bool RemembersTotal
    {
        get => remembersTotal ?? IsPublic;
        init => remembersTotal = value;
    }

    private readonly bool? remembersTotal;

    /// <summary>The version a remembered total of the list holds for (<see cref="ListTotals"/>).</summary>
    public TotalVersion TotalVersion { get; init; } = TotalVersion.Content;

    /// <summary>The cache keys of the list (see <see cref="CacheTags"/>), e.g. its kind's: <c>articles</c>.</summary>
    public IReadOnlyList<string> CacheKeys { get; init; } = [];

    /// <summary>
    /// Whether the page's statement reads every item of the list whatever the page (a rank per
    /// item, which no index gives in order): then a first page whose total is not known yet
    /// counts the items in that pass, instead of a count of its own that reads them all again.
    /// </summary>
    public bool ReadsAllItems { get; init; }

    /// <summary>
    /// Whether <see cref="FromWhere"/> reads only the items near the page's position, from the
    /// parameters the page's statement then adds: <c>@pageReach</c> (how many items the page
    /// reaches from its position: the offset, the page and one more), and the cursor's
    /// <c>@positionKey0</c> (of <see cref="PositionKey0Type"/>), <c>@positionKey</c> (bigint),
    /// both null without a cursor, <c>@positionBackward</c>, <c>@totalAtMost</c> (bigint): how
    /// many items the list likely holds, null when unknown, a hint of how to read that may no
    /// longer hold, <c>@pageFromRanked</c> (boolean), another such hint (<see cref="RankFloor"/>),
    /// and <c>@rankedAtMost</c> (<see cref="FullTextOptions.RankedMatchesAtMost"/>).
    /// It may also read the list's total as the page's statement has it, remembered or counted in
    /// its head: <c>h.total_items</c>.
    /// </summary>
    public bool ReadsFromPosition { get; init; }

    /// <summary>
    /// For a list ranked from its position (article_ranked_matches), the rank of its matches at
    /// the floor (SQL). A page whose items, and the one past it, all rank above it came from the
    /// matches above the floor alone: the page's statement says so, the list's total is remembered
    /// with it (<see cref="ListTotals.Counted.PageFromRanked"/>), and its next pages are given it as
    /// <c>@pageFromRanked</c>, so that a list of few matches whose newest above the floor fill its
    /// page reads those rather than every match (migration 0058).
    /// </summary>
    public string? RankFloor { get; init; }

    /// <summary>The type of <c>@positionKey0</c> when the list <see cref="ReadsFromPosition"/>: its order's first key's (a rank, by default).</summary>
    public NpgsqlDbType PositionKey0Type { get; init; } = NpgsqlDbType.Real;

    /// <summary>
    /// A <c>from … where …</c> that counts the same items as <see cref="FromWhere"/> with less
    /// reading (an index of the links alone, without the articles), when there is one.
    /// </summary>
    public string? CountFromWhere { get; init; }

    /// <summary>
    /// A statement giving the list's total as <c>(total, estimated)</c> without reading every item,
    /// in place of a count of <see cref="CountFromWhere"/> or <see cref="FromWhere"/>: a full-text
    /// list's matches, exact up to <see cref="FullTextQueries.ExactTotalUpTo"/> (migration 0035),
    /// or the moderation queue's totals, kept by status (migration 0059).
    /// </summary>
    public string? BoundedTotal { get; init; }

    /// <summary>
    /// Whether a short total (<see cref="ListTotals.CountedEachTimeUpTo"/> or fewer) is remembered
    /// like a long one rather than counted on each request: a full-text list's is, as its count
    /// reads the query's words' entries however few articles match (at 100,000 articles a third
    /// of the bench's word pairs match 100 or fewer, and each such count took about a third of its
    /// search's time in PostgreSQL).
    /// </summary>
    public bool KeepsShortTotal => BoundedTotal is not null;

    /// <summary>
    /// Finishes each item's JSON (UTF-8) in the API, when the statement gives it in parts (search
    /// hits: the snippet is marked and cut here, from tokens the database keeps parsed).
    /// </summary>
    public Func<ReadOnlyMemory<byte>, byte[]>? RenderItem { get; init; }

    /// <summary>SQL giving more keys from the parent (space-separated text, null when there is none), e.g. an article's comment keys.</summary>
    public string? ParentCacheKeys { get; init; }

    /// <summary>
    /// The row the list belongs to, found once a statement: a <c>select</c> of its <c>id</c> and
    /// <c>cache_keys</c> (as <see cref="ParentCacheKeys"/>), no row when it does not exist (a 404
    /// with <see cref="ListSpec.NotFoundDetail"/>, unless <see cref="EmptyWithoutParent"/>).
    /// <see cref="ListSpec.FromWhere"/> and <see cref="CountFromWhere"/> name its id as
    /// <c>parent.id</c>. In place of <see cref="ListSpec.ParentExists"/> and <see cref="ParentCacheKeys"/>,
    /// which look the parent up again for each use.
    /// </summary>
    public string? Parent { get; init; }

    /// <summary>
    /// Whether a list whose <see cref="Parent"/> does not exist is empty rather than a 404: the
    /// parent is what a filter names (an article list by a person's slug), not what the list
    /// belongs to.
    /// </summary>
    public bool EmptyWithoutParent { get; init; }
}

/// <summary>
/// What moves when a list's total may have changed: the content watermark (every write), or the
/// version of the public article lists' members (migration 0033: what makes an article public or
/// matches a filter, its links, the entities' slugs and event dates; not an approved comment).
/// </summary>
internal enum TotalVersion
{
    Content,
    ArticleListMembers,
}
