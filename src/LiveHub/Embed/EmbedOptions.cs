using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace LiveHub.Embed;

/// <summary>The embeddable live widget and oEmbed (section "Embed").</summary>
public sealed partial class EmbedOptions
{
    public const string Section = "Embed";

    /// <summary>Off: no /embed pages, no /oembed, no discovery links.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The CSP <c>frame-ancestors</c> sources allowed to frame the /embed pages: <c>*</c> (any site, the default),
    /// <c>'self'</c>, or origins such as <c>https://blog.example.org https://*.example.com</c>, separated by spaces.
    /// Every other page keeps <c>frame-ancestors 'none'</c>.
    /// </summary>
    public string FrameAncestors { get; set; } = "*";

    /// <summary>oEmbed requests each network address may make per minute.</summary>
    [Range(1, 100_000)]
    public int OEmbedRequestsPerMinute { get; set; } = 120;

    /// <summary>The newest posts an embed shows (it keeps at most this many while it runs).</summary>
    [Range(1, 100)]
    public int Posts { get; set; } = 20;

    internal static bool IsValidFrameAncestors(string? value)
    {
        var sources = (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (sources.Length == 0 || value!.Length > 2_000)
        {
            return false;
        }

        if (sources.Length == 1 && sources[0] == "'none'")
        {
            return true;
        }

        return sources.All(s => s is "*" or "'self'" or "https:" or "http:" || HostSource().IsMatch(s));
    }

    // A scheme, an optional "*." wildcard, a host, an optional port: no path, quote, comma or semicolon that could
    // end the directive or add another one.
    [GeneratedRegex(@"^https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:([0-9]{1,5}|\*))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostSource();
}
