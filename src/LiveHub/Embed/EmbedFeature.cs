using System.Threading.RateLimiting;
using LiveHub.Live;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LiveHub.Embed;

public static class EmbedFeature
{
    public const string OEmbedRateLimit = "oembed";

    public static IServiceCollection AddEmbed(this IServiceCollection services)
    {
        services.AddOptions<EmbedOptions>().BindConfiguration(EmbedOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => EmbedOptions.IsValidFrameAncestors(o.FrameAncestors),
                "Embed:FrameAncestors must be *, 'self', 'none', or origins like https://blog.example.org or https://*.example.org, separated by spaces.")
            .ValidateOnStart();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(OEmbedRateLimit, context =>
        {
            var limits = context.RequestServices.GetRequiredService<IOptions<EmbedOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(
                LiveConnectionLimits.AddressKey(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.OEmbedRequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        }));
        return services;
    }

    public static IEndpointRouteBuilder MapEmbed(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<EmbedOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapEmbedPages();
        app.MapOEmbed();
        return app;
    }
}
