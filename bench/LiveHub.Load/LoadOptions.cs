using System.Globalization;

namespace LiveHub.Load;

public enum Target
{
    LiveHub,
    Bare,
}

/// <summary>Command-line options of <c>run</c>; see <see cref="Program.Usage"/>.</summary>
public sealed class LoadOptions
{
    public Target Target { get; private set; } = Target.LiveHub;

    /// <summary>Path of LiveHub.dll or BareBroadcast.dll to start; null to use a running server at <see cref="Url"/>.</summary>
    public string? Launch { get; private set; }

    /// <summary>Working directory for a launched LiveHub (src/LiveHub, for its wwwroot and seeds).</summary>
    public string? ContentRoot { get; private set; }

    public Uri Url { get; private set; } = new("http://127.0.0.1:5180");

    /// <summary>Server processes to sample (several with --instances against running servers).</summary>
    public IReadOnlyList<int> ServerPids { get; private set; } = [];

    /// <summary>LiveHub instances on consecutive ports from <see cref="Url"/>, one database: viewers are spread over them, posts go to the first.</summary>
    public int Instances { get; private set; } = 1;

    public IReadOnlyList<Uri> InstanceUrls => [.. Enumerable.Range(0, Instances).Select(i => new UriBuilder(Url) { Port = Url.Port + i }.Uri)];

    public string? Stream { get; private set; }

    public string? Email { get; private set; }

    public string? Password { get; private set; }

    public int Connections { get; private set; } = 1000;

    public double Rate { get; private set; } = 1;

    public int DurationSeconds { get; private set; } = 30;

    public int WarmupPosts { get; private set; } = 2;

    public int Prewarm { get; private set; } = 40;

    public int ConnectConcurrency { get; private set; } = 64;

    public int ConnectRate { get; private set; } = 1000;

    public int SourceAddresses { get; private set; } = 16;

    public int BodyChars { get; private set; } = 280;

    public int PayloadBytes { get; private set; } = 1500;

    public int DrainSeconds { get; private set; } = 15;

    public string? Results { get; private set; }

    public string? Label { get; private set; }

    public bool PrintFrame { get; private set; }

    /// <summary>Extra environment of a launched LiveHub (<c>--server-env DOTNET_gcServer=0</c>), for runtime and option settings.</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment => _serverEnvironment;

    private readonly Dictionary<string, string> _serverEnvironment = [];

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            switch (name)
            {
                case "--target":
                    o.Target = Value() switch
                    {
                        "livehub" => Target.LiveHub,
                        "bare" => Target.Bare,
                        var other => throw new ArgumentException($"--target is livehub or bare, not '{other}'."),
                    };
                    break;
                case "--bare": o.Target = Target.Bare; break;
                case "--launch": o.Launch = Value(); break;
                case "--content-root": o.ContentRoot = Value(); break;
                case "--url": o.Url = new Uri(Value()); break;
                case "--server-pid": o.ServerPids = [.. Value().Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))]; break;
                case "--instances": o.Instances = Int(); break;
                case "--stream": o.Stream = Value(); break;
                case "--email": o.Email = Value(); break;
                case "--password": o.Password = Value(); break;
                case "--connections" or "-n": o.Connections = Int(); break;
                case "--rate": o.Rate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--duration": o.DurationSeconds = Int(); break;
                case "--warmup": o.WarmupPosts = Int(); break;
                case "--prewarm": o.Prewarm = Int(); break;
                case "--connect-concurrency": o.ConnectConcurrency = Int(); break;
                case "--connect-rate": o.ConnectRate = Int(); break;
                case "--source-addresses": o.SourceAddresses = Int(); break;
                case "--body-chars": o.BodyChars = Int(); break;
                case "--payload-bytes": o.PayloadBytes = Int(); break;
                case "--drain": o.DrainSeconds = Int(); break;
                case "--results": o.Results = Value(); break;
                case "--label": o.Label = Value(); break;
                case "--print-frame": o.PrintFrame = true; break;
                case "--server-env":
                    var setting = Value();
                    var equals = setting.IndexOf('=', StringComparison.Ordinal);
                    o._serverEnvironment[equals > 0 ? setting[..equals] : throw new ArgumentException("--server-env takes NAME=VALUE.")] = setting[(equals + 1)..];
                    break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }

        if (o.Instances is < 1 or > 16 || (o.Instances > 1 && o.Target != Target.LiveHub))
        {
            throw new ArgumentException("--instances is 1..16, and only for LiveHub.");
        }

        if (o.Connections < 1 || o.Rate <= 0 || o.DurationSeconds < 1 || o.SourceAddresses is < 1 or > 250)
        {
            throw new ArgumentException("--connections, --rate and --duration must be positive; --source-addresses 1..250.");
        }

        if (o.Launch is null && o.Target == Target.LiveHub && o.Stream is null && (o.Email is null || o.Password is null))
        {
            throw new ArgumentException("Against a running LiveHub, give --email and --password of an editor (and optionally --stream).");
        }

        return o;
    }

    /// <summary>Posts sent in all: the warm-up ones (not measured) and then rate × duration.</summary>
    public int TotalPosts => WarmupPosts + MeasuredPosts;

    public int MeasuredPosts => Math.Max(1, (int)Math.Round(Rate * DurationSeconds));
}
