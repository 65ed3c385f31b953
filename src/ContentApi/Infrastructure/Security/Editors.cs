using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Infrastructure.Security;

/// <summary>
/// Public reads that show more to editors (drafts, scheduled articles, editorial lists): a
/// request without Authorization is a reader and costs nothing; with one, the key must be
/// valid (else 401), and only a key with content:write makes an editor (any other reads as
/// the public does).
/// </summary>
internal static class Editors
{
    public sealed record Access(bool IsEditor, ProblemHttpResult? Refusal);

    public static async Task<Access> CheckAsync(HttpContext httpContext)
    {
        if (httpContext.Request.Headers.Authorization.Count == 0)
        {
            return new Access(false, null);
        }

        var result = await httpContext.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        if (!result.Succeeded)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return new Access(false, TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The API key is invalid or revoked."));
        }

        httpContext.User = result.Principal;
        return new Access(result.Principal.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, Scopes.ContentWrite), null);
    }

    /// <summary>The name of the key behind this request (recorded with revisions).</summary>
    public static string KeyName(this HttpContext httpContext) => httpContext.User.FindFirstValue(ClaimTypes.Name) ?? "unknown";
}
