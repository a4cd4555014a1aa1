using System.Net;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Browser;

/// <summary>
/// The real app on a temporary SQLite database, served by Kestrel on 127.0.0.1 and a free port so that a
/// real browser can reach it. The demo seeds are loaded so that the public pages have realistic content.
/// </summary>
public sealed class KestrelApp : SqliteApp
{
    public KestrelApp() => UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Seeds:LoadWhenEmpty"] = "true",
    };

    /// <summary>The address the server listens on, like http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            var address = new Uri(addresses.Single());
            // The HttpClient helpers (CookieClientAsync, BearerClientAsync...) talk to the same server.
            ClientOptions.BaseAddress = address;
            return address;
        }
    }
}
