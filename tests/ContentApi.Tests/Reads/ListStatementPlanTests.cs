using System.Text.Json;
using ContentApi.Articles;
using ContentApi.Comments;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>
/// A list page's head (the watermark, the parent check and the total) is computed once per page,
/// not once per item: PostgreSQL's own count of each part's runs (<c>explain analyze</c>) for
/// pages sharing one statement, as the API sends them.
/// </summary>
public sealed class ListStatementPlanTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    private const int Items = 6;

    [Fact]
    public async Task Pages_of_a_filter_count_their_totals_once_each()
    {
        var people = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var person = TestDatabase.UniqueSlug("planned");
            var personId = await App.Database.InsertEntityAsync("people", person, $"Person {person}");
            for (var j = 0; j < Items; j++)
            {
                var articleId = await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("planned"));
                await App.Database.LinkAsync("article_people", articleId, personId, "subject");
            }

            people.Add(person);
        }

        var pages = people.ConvertAll(person => PublicReads.PageStatement.Of(
            ArticleQueries.ListSpec(new ListArticlesQuery { Person = person }), size: Items, cursor: null, offset: 0, known: null));

        await AssertHeadRunsOncePerPageAsync(pages);
    }

    [Fact]
    public async Task Comment_pages_check_their_article_and_count_their_comments_once_each()
    {
        var slugs = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var slug = TestDatabase.UniqueSlug("planned");
            var articleId = await App.Database.InsertArticleAsync(slug);
            await App.Database.InsertApprovedCommentsAsync(articleId, Items);

            slugs.Add(slug);
        }

        var pages = slugs.ConvertAll(slug => PublicReads.PageStatement.Of(CommentQueries.PublicListSpec(slug, tree: false), size: Items, cursor: null, offset: 0, known: null));

        await AssertHeadRunsOncePerPageAsync(pages);
    }

    // Runs the pages in one shared statement under explain analyze: each page gets its items,
    // and no part of the plan outside the pages' items runs more often than there are pages.
    private async Task AssertHeadRunsOncePerPageAsync(List<PublicReads.PageStatement> pages)
    {
        var first = pages[0];
        await using var command = Db.CreateCommand(
            "explain (analyze, format json) " + CoalescedListStatements.Batched(first.Sql, first.Parameters.Names, first.BatchOrder));
        SqlParameters.AddColumnsTo(command, pages.ConvertAll(page => page.Parameters));
        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(Ct))!);
        var root = plan.RootElement[0].GetProperty("Plan");

        Assert.Equal(pages.Count * Items, root.GetProperty("Actual Rows").GetInt64());
        var subplans = Nodes(root).Where(node => node.TryGetProperty("Subplan Name", out _)).ToList();
        Assert.NotEmpty(subplans);
        Assert.All(subplans, node => Assert.True(
            node.GetProperty("Actual Loops").GetInt64() <= pages.Count,
            $"{node.GetProperty("Subplan Name")} ran {node.GetProperty("Actual Loops")} times for {pages.Count} pages of {Items} items"));
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children)
            ? children.EnumerateArray().SelectMany(Nodes).Prepend(node)
            : [node];
}
