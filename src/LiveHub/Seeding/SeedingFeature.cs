namespace LiveHub.Seeding;

public static class SeedingFeature
{
    public static IServiceCollection AddSeeding(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.Section)
            .Validate(o => o.DemoReplayInterval >= TimeSpan.FromMilliseconds(50) && o.DemoReplayInterval <= TimeSpan.FromHours(1),
                "Seeds:DemoReplayInterval must be between 00:00:00.05 and 01:00:00.")
            .ValidateOnStart();
        var configured = configuration.GetSection(SeedOptions.Section).Get<SeedOptions>()?.Path;
        services.AddSingleton(new SeedDirectory(ContentFolders.Find(environment, configured, "seeds", "events.json")));
        services.AddScoped<SeedLoader>();
        services.AddHostedService<SeedOnFirstStart>();
        // After SeedOnFirstStart, so that a first start loads the seeds before the demo is built beside them.
        services.AddScoped<DemoEvent>();
        services.AddHostedService<DemoReplay>();
        return services;
    }
}
