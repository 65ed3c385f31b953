namespace ContentApi.Articles;

internal static class ArticleServices
{
    public static IServiceCollection AddArticles(this IServiceCollection services)
    {
        services.AddOptions<PreviewOptions>().BindConfiguration("Preview")
            .Validate(o => o.LinkLifetimeHours is > 0 and <= 24 * 30, "Preview:LinkLifetimeHours must be 1 to 720.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PreviewTokens>();
        services.AddOptions<ArticleRefreshOptions>().BindConfiguration("ArticleRefreshes")
            .Validate(o => o.IntervalMilliseconds is >= 50 and <= 60_000, "ArticleRefreshes:IntervalMilliseconds must be 50 to 60000.")
            .ValidateOnStart();
        services.AddHostedService<ArticleRefreshes>();
        return services;
    }
}
