namespace LiveHub.Venues;

public static class VenuesFeature
{
    public static IServiceCollection AddVenues(this IServiceCollection services)
    {
        services.AddHostedService<MigratedSlugTidy>();
        return services;
    }

    public static IEndpointRouteBuilder MapVenues(this IEndpointRouteBuilder app)
    {
        app.MapVenueEndpoints();
        app.MapVenuePages();
        return app;
    }
}
