namespace LiveHub.Venues;

public static class VenuesFeature
{
    public static IEndpointRouteBuilder MapVenues(this IEndpointRouteBuilder app)
    {
        app.MapVenueEndpoints();
        app.MapVenuePages();
        return app;
    }
}
