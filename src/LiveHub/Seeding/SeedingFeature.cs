namespace LiveHub.Seeding;

public static class SeedingFeature
{
    public static IServiceCollection AddSeeding(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.Section);
        var configured = configuration.GetSection(SeedOptions.Section).Get<SeedOptions>()?.Path;
        services.AddSingleton(new SeedDirectory(ContentFolders.Find(environment, configured, "seeds", "events.json")));
        services.AddScoped<SeedLoader>();
        services.AddHostedService<SeedOnFirstStart>();
        return services;
    }
}
