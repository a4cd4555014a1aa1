using LiveHub.Live;

namespace LiveHub.Recap;

public static class RecapFeature
{
    public static IServiceCollection AddRecaps(this IServiceCollection services)
    {
        services.AddScoped<ILiveChangeInterceptor, RecapDraftInterceptor>();
        services.AddScoped<ILiveRecaps, LiveRecaps>();
        return services;
    }

    public static IEndpointRouteBuilder MapRecaps(this IEndpointRouteBuilder app)
    {
        app.MapRecapEndpoints();
        app.MapRecapPages();
        return app;
    }
}
