using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Tests.Articles;
using Dapper;
using Npgsql;

namespace ContentApi.Tests.Entities;

/// <summary>
/// An entity change that more articles show than one write rewrites (article_fan_out_limit(),
/// migration 0045) queues them, and batches rewrite them after the write. Its own database,
/// whose instance looks for queued articles once a minute: the tests run the batches
/// themselves (article_refreshes_run, as ArticleRefreshes does), when they choose.
/// </summary>
public sealed class LargeFanOutTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ContentApiFixture app = new();

    public ValueTask InitializeAsync()
    {
        app.SettingOverrides["ArticleRefreshes:IntervalMilliseconds"] = "60000";
        return app.InitializeAsync();
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_rename_queues_the_articles_it_would_rewrite_and_batches_rewrite_them_after_it()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (tag, articles) = await app.Database.InsertTagOfManyArticlesAsync();
        var first = await app.CreateClient().GetAsync($"/v1/articles/{articles.Slugs[0]}", Ct);
        var newName = $"Renamed {Guid.NewGuid():N}";

        var renamed = await editor.SendAsync(HttpMethod.Patch, $"/v1/tags/{tag}", new JsonObject { ["name"] = newName }, "\"1\"", "application/merge-patch+json");
        var queued = await QueuedAsync(articles.Ids);
        var showingBefore = await ShowingAsync(articles.Ids, newName);
        var firstBefore = await app.CreateClient().GetAsync($"/v1/articles/{articles.Slugs[0]}", Ct);
        var batches = await RunBatchesAsync();
        var firstAfter = await app.CreateClient().GetAsync($"/v1/articles/{articles.Slugs[0]}", Ct);

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(articles.Ids.Length, queued);
        Assert.Equal(0, showingBefore);
        Assert.Equal(first.Headers.ETag, firstBefore.Headers.ETag);
        Assert.Equal([articles.Ids.Length - 1, 1], batches);
        Assert.Equal(articles.Ids.Length, await ShowingAsync(articles.Ids, newName));
        Assert.Equal(0, await QueuedAsync(articles.Ids));
        Assert.NotEqual(first.Headers.ETag, firstAfter.Headers.ETag);
        Assert.Equal(newName, Assert.Single((await EditorClient.DetailAsync(firstAfter)).Metadata.Tags).Name);
    }

    [Fact]
    public async Task Deleting_with_detach_queues_the_articles_and_batches_take_the_entity_out_of_them()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (tag, articles) = await app.Database.InsertTagOfManyArticlesAsync();

        var deleted = await editor.SendAsync(HttpMethod.Delete, $"/v1/tags/{tag}?detach=true", ifMatch: "\"1\"");
        var gone = await app.CreateClient().GetAsync($"/v1/tags/{tag}", Ct);
        var queued = await QueuedAsync(articles.Ids);
        var showingBefore = await ShowingAsync(articles.Ids, tag);
        await RunBatchesAsync();
        var article = await app.CreateClient().GetAsync($"/v1/articles/{articles.Slugs[^1]}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(articles.Ids.Length, queued);
        Assert.Equal(articles.Ids.Length, showingBefore);
        Assert.Equal(0, await ShowingAsync(articles.Ids, tag));
        Assert.Empty((await EditorClient.DetailAsync(article)).Metadata.Tags);
    }

    [Fact]
    public async Task A_change_while_the_articles_wait_is_applied_by_the_batches_after_its_commit()
    {
        var (tag, articles) = await app.Database.InsertTagOfManyArticlesAsync();
        await RenameAsync(app.Database, tag, "First");
        var second = $"Second {Guid.NewGuid():N}";

        await using var writer = await OpenAsync();
        await using var write = await writer.BeginTransactionAsync(Ct);
        await writer.ExecuteAsync(new CommandDefinition("update tags set name = @second where slug = @tag", new { second, tag }, write, cancellationToken: Ct));
        // A batch meanwhile takes the first name's entries and reads the first name; it commits
        // after the write (the changes feed orders them).
        var batchMeanwhile = app.Database.ScalarAsync<int>("select article_refreshes_run()");
        await Task.Delay(300, Ct);
        await write.CommitAsync(Ct);
        var takenMeanwhile = await batchMeanwhile;
        await RunBatchesAsync();

        Assert.Equal(articles.Ids.Length - 1, takenMeanwhile);
        Assert.Equal(articles.Ids.Length, await ShowingAsync(articles.Ids, second));
        Assert.Equal(0, await QueuedAsync(articles.Ids));
    }

    [Fact]
    public async Task A_change_while_a_batch_holds_the_articles_is_applied_after_that_batch()
    {
        var (tag, articles) = await app.Database.InsertTagOfManyArticlesAsync();
        await RenameAsync(app.Database, tag, "First");
        var second = $"Second {Guid.NewGuid():N}";

        await using var batch = await OpenAsync();
        await using var batchTransaction = await batch.BeginTransactionAsync(Ct);
        var taken = await batch.ExecuteScalarAsync<int>(new CommandDefinition("select article_refreshes_run()", transaction: batchTransaction, cancellationToken: Ct));
        var rename = RenameAsync(app.Database, tag, second); // commits after the batch (the changes feed orders them)
        await Task.Delay(300, Ct);
        await batchTransaction.CommitAsync(Ct);
        await rename;
        var queued = await QueuedAsync(articles.Ids);
        await RunBatchesAsync();

        Assert.Equal(articles.Ids.Length - 1, taken);
        Assert.Equal(articles.Ids.Length, queued);
        Assert.Equal(articles.Ids.Length, await ShowingAsync(articles.Ids, second));
    }

    private static Task RenameAsync(TestDatabase database, string tag, string name) =>
        database.ExecuteAsync("update tags set name = @name where slug = @tag", new { name, tag });

    private Task<long> QueuedAsync(long[] ids) =>
        app.Database.ScalarAsync<long>("select count(distinct article_id) from article_refreshes where article_id = any (@ids)", new { ids });

    /// <summary>How many of the articles' served documents contain <paramref name="text"/>.</summary>
    private Task<long> ShowingAsync(long[] ids, string text) =>
        app.Database.ScalarAsync<long>("select count(*) from article_reads where id = any (@ids) and strpos(document::text, @text) > 0", new { ids, text });

    /// <summary>Batches until the queue is empty, as an instance runs them: how many each rewrote.</summary>
    private async Task<List<int>> RunBatchesAsync()
    {
        var batches = new List<int>();
        while (await app.Database.ScalarAsync<int>("select article_refreshes_run()") is var rewritten and > 0)
        {
            batches.Add(rewritten);
        }

        return batches;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }
}
