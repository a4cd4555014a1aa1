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
        // The staff recap editor: a static page (its script talks to the API), like the live console.
        app.MapGet("/staff/recap/{slug}", (IWebHostEnvironment environment) =>
        {
            var file = environment.WebRootFileProvider.GetFileInfo("staff/recap.html");
            return file.Exists && file.PhysicalPath is { } path
                ? Results.File(path, "text/html; charset=utf-8")
                : Results.NotFound();
        }).ExcludeFromDescription();
        return app;
    }
}
