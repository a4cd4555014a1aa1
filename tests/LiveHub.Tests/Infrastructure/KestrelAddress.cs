using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Infrastructure;

/// <summary>The address of a factory that serves through Kestrel (<c>UseKestrel</c>) on a free port.</summary>
public static class KestrelAddress
{
    /// <summary>Starts the server and returns where it listens, like http://127.0.0.1:41234; the factory's clients talk to it too.</summary>
    public static Uri Of(WebApplicationFactory<Program> app, Action startServer)
    {
        startServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var address = new Uri(addresses.Single());
        // The HttpClient helpers (CookieClientAsync, BearerClientAsync...) talk to the same server.
        app.ClientOptions.BaseAddress = address;
        return address;
    }
}
