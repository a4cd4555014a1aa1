using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Infrastructure;

/// <summary>A mapped route as the tests that sweep the app's own endpoint list see it.</summary>
public sealed record MappedRoute(string Method, string Pattern, RouteEndpoint Endpoint)
{
    public string Key => $"{Method} {Pattern}";

    public bool IsApi => Pattern.StartsWith("/api/", StringComparison.Ordinal);
}

public static class RouteTable
{
    /// <summary>Every route the app maps, once per HTTP method (GET when it names none), with a leading slash.</summary>
    public static IEnumerable<MappedRoute> Routes(IServiceProvider services)
    {
        foreach (var endpoint in services.GetRequiredService<IEnumerable<EndpointDataSource>>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                yield return new MappedRoute(method, pattern, endpoint);
            }
        }
    }
}
