using System.Net;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Browser;

/// <summary>
/// The real app on a temporary SQLite database, served by Kestrel on 127.0.0.1 and a free port so that a
/// real browser can reach it. The demo seeds are loaded so that the public pages have realistic content.
/// </summary>
public sealed class KestrelApp : SqliteApp
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <param name="settings">More settings (for example, the demo on); the seeds are loaded in any case.</param>
    public KestrelApp(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Seeds:LoadWhenEmpty"] = "true" };
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    protected override IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>The address the server listens on, like http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri BaseAddress => KestrelAddress.Of(this, StartServer);
}
