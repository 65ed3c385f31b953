using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ContentApi.Comments;

internal static class CommentServices
{
    public static IServiceCollection AddComments(this IServiceCollection services)
    {
        services.AddOptions<CommentOptions>().BindConfiguration("Comments")
            .Validate(o => o.Moderation is "pre" or "post", "Comments:Moderation must be 'pre' or 'post'.")
            .Validate(o => o.FloodIntervalSeconds >= 0 && o.RateLimitPerMinute > 0 && o.MaxDepth >= 1 && o.MaxLinks >= 0,
                "Comments: FloodIntervalSeconds ≥ 0, RateLimitPerMinute > 0, MaxDepth ≥ 1, MaxLinks ≥ 0.")
            .ValidateOnStart();
        services.AddSingleton<CommentModeration>();

        // Every comment POST counts against its client address, accepted or not.
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(CommentsApi.RateLimitPolicy, httpContext =>
            {
                var perMinute = httpContext.RequestServices.GetRequiredService<IOptions<CommentOptions>>().Value.RateLimitPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(
                    httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            options.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too Many Requests",
                        Detail = $"Too many comment requests from your address; retry in {retryAfter} s.",
                    },
                });
            };
        });
        return services;
    }
}
