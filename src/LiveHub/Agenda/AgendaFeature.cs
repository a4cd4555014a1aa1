using System.Threading.RateLimiting;
using LiveHub.Agenda.Pages;
using LiveHub.Live;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LiveHub.Agenda;

public static class AgendaFeature
{
    public const string CreateRateLimit = "agenda-create";

    public static IServiceCollection AddAgenda(this IServiceCollection services)
    {
        services.AddOptions<AgendaOptions>().BindConfiguration(AgendaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AgendaLookupThrottle>();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(CreateRateLimit, context =>
        {
            var limits = context.RequestServices.GetRequiredService<IOptions<AgendaOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(
                LiveConnectionLimits.AddressKey(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.CreationsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        }));
        return services;
    }

    public static IEndpointRouteBuilder MapAgenda(this IEndpointRouteBuilder app)
    {
        app.MapAgendaEndpoints();
        app.MapGet("/agenda", () => new RazorComponentResult<AgendaPage>()).ExcludeFromDescription();
        return app;
    }
}
