namespace LiveHub.Events;

public static class EventsFeature
{
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddRazorComponents();
        return services;
    }

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapEventEndpoints();
        app.MapSessionEndpoints();
        app.MapSeriesEndpoints();
        app.MapSpeakerEndpoints();
        app.MapEventPages();
        app.MapSpeakerPages();
        return app;
    }
}
