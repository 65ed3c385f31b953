using Microsoft.AspNetCore.Authentication;

namespace ContentApi.Infrastructure.Security;

internal static class SecurityServiceCollectionExtensions
{
    /// <summary>API-key authentication and one authorisation policy per scope.</summary>
    public static IServiceCollection AddApiKeySecurity(this IServiceCollection services)
    {
        // No default scheme (ASP.NET Core makes a lone scheme every request's default): public
        // reads, nearly all without a key, would each run the handler. Protected endpoints'
        // policies name the scheme; UseApiKeySecurity authenticates the requests that carry a key.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddSingleton<InvalidApiKeyAttempts>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope));
        }

        return services;
    }

    /// <summary>
    /// A request with a key is authenticated here, ahead of the rate limiter (a valid key is
    /// outside the anonymous budget); one without goes by.
    /// </summary>
    public static WebApplication UseApiKeySecurity(this WebApplication app)
    {
        // Without it ASP.NET Core would add its own at the front; with no default scheme it only
        // records the request's path.
        app.UseAuthentication();
        app.Use((context, next) => context.Request.Headers.Authorization.Count == 0 ? next(context) : AuthenticateKeyAsync(context, next));
        app.UseAuthorization();
        return app;
    }

    private static async Task AuthenticateKeyAsync(HttpContext context, RequestDelegate next)
    {
        if (await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName) is { Succeeded: true } result)
        {
            context.User = result.Principal;
        }

        await next(context);
    }
}
