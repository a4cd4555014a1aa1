using System.Net;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// The app on an empty database served by Kestrel on 127.0.0.1 and a free port, so that clients use real
/// TCP sockets: real accept queues, real socket buffers and real backpressure, none of which the
/// in-memory test server has.
/// </summary>
public interface IKestrelLiveApp
{
    LiveHubApp App { get; }

    /// <summary>The address the server listens on, like http://127.0.0.1:41234.</summary>
    Uri BaseAddress { get; }
}

public class KestrelSqliteApp : SqliteApp, IKestrelLiveApp
{
    public KestrelSqliteApp() => UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

    public LiveHubApp App => this;

    public Uri BaseAddress => KestrelAddress.Of(this, StartServer);
}

public class KestrelPostgresApp : PostgresApp, IKestrelLiveApp
{
    public KestrelPostgresApp() => UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

    public LiveHubApp App => this;

    public Uri BaseAddress => KestrelAddress.Of(this, StartServer);
}

/// <summary>
/// Load and timing tests that must not share the two cores with the rest of the suite: a storm would
/// slow other tests past their timeouts, and their work would blur the storm's figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityLoadCollection
{
    public const string Name = "Reliability under load";
}
