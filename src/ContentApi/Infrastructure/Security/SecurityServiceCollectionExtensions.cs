using Microsoft.AspNetCore.Authentication;

namespace ContentApi.Infrastructure.Security;

internal static class SecurityServiceCollectionExtensions
{
    /// <summary>API-key authentication and one authorisation policy per scope.</summary>
    public static IServiceCollection AddApiKeySecurity(this IServiceCollection services)
    {
        // No default scheme: public requests (nearly all) skip authentication entirely; the
        // policies of protected endpoints name the scheme.
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

    public static WebApplication UseApiKeySecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
