using Microsoft.AspNetCore.Authentication;

namespace ContentApi.Infrastructure.Security;

internal static class SecurityServiceCollectionExtensions
{
    /// <summary>API-key authentication and one authorisation policy per scope.</summary>
    public static IServiceCollection AddApiKeySecurity(this IServiceCollection services)
    {
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
    /// Authentication for requests that carry a key, ahead of the rate limiter (a valid key is
    /// outside the anonymous budget). ASP.NET Core makes a lone scheme the default, so without the
    /// condition every public read, nearly all of them without a key, would run the handler.
    /// </summary>
    public static WebApplication UseApiKeySecurity(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Headers.Authorization.Count > 0, keyed => keyed.UseAuthentication());
        app.UseAuthorization();
        return app;
    }
}
