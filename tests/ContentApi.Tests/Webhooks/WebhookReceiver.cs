using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ContentApi.Tests.Webhooks;

/// <summary>A webhook receiver on loopback: records every POST and answers what <see cref="Respond"/> says.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public sealed record Received(string? Id, string? Timestamp, string? Signature, string Body, DateTime At);

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url { get; }

    /// <summary>Given the request and how many times this webhook-id came before, the status to answer (after any delay it awaits).</summary>
    public Func<Received, int, Task<int>> Respond { get; set; } = (_, _) => Task.FromResult(StatusCodes.Status204NoContent);

    public static async Task<WebhookReceiver> StartAsync(string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var received = new Received(
                context.Request.Headers["webhook-id"], context.Request.Headers["webhook-timestamp"], context.Request.Headers["webhook-signature"],
                await reader.ReadToEndAsync(context.RequestAborted), DateTime.UtcNow);
            var before = receiver!.Requests.Count(r => r.Id == received.Id);
            receiver.Requests.Enqueue(received);
            return Results.StatusCode(await receiver.Respond(received, before));
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        receiver = new WebhookReceiver(app, $"http://{host}:{port}/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
