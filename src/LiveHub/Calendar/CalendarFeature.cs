using LiveHub.Calendar.Import;

namespace LiveHub.Calendar;

public static class CalendarFeature
{
    public static IServiceCollection AddCalendar(this IServiceCollection services)
    {
        services.AddOptions<CalendarOptions>().BindConfiguration(CalendarOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.RefreshInterval >= TimeSpan.FromMinutes(1) && o.RefreshInterval <= TimeSpan.FromDays(7),
                "Calendar:RefreshInterval must be between 00:01:00 and 7.00:00:00.")
            .Validate(o => o.Import.FetchTimeout > TimeSpan.Zero && o.Import.FetchTimeout <= TimeSpan.FromMinutes(2),
                "Calendar:Import:FetchTimeout must be more than zero and at most 00:02:00.")
            .Validate(o => Events.VenueTime.TryFindZone(o.Import.DefaultTimeZone, out _),
                "Calendar:Import:DefaultTimeZone must be an IANA time zone id.")
            .Validate(o => System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
                    o.Import, new System.ComponentModel.DataAnnotations.ValidationContext(o.Import), null, validateAllProperties: true),
                "Calendar:Import has a value out of range.")
            .Validate(o => o.Import.AllowAddresses.All(a => System.Net.IPAddress.TryParse(a, out _)),
                "Calendar:Import:AllowAddresses must list IP addresses.")
            .ValidateOnStart();
        services.AddOptions<PublicSiteOptions>().BindConfiguration(PublicSiteOptions.Section)
            .Validate(o => PublicSiteOptions.IsValid(o.PublicBaseUrl), "LiveHub:PublicBaseUrl must be an absolute http(s) URL without query or fragment.")
            .ValidateOnStart();
        services.AddHttpContextAccessor();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<FeedService>();
        services.AddSingleton<IcsFetcher>();
        services.AddScoped<IcsImporter>();
        return services;
    }

    public static IEndpointRouteBuilder MapCalendar(this IEndpointRouteBuilder app)
    {
        app.MapFeedEndpoints();
        app.MapImportEndpoints();
        return app;
    }
}
