namespace LiveHub.Calendar;

/// <summary>Where the public site is reachable (section "LiveHub"); feeds and subscribe links need absolute URLs.</summary>
public sealed class PublicSiteOptions
{
    public const string Section = "LiveHub";

    /// <summary>Like https://livehub.example.org (a path is allowed); empty: the scheme and host of each request.</summary>
    public string? PublicBaseUrl { get; set; }

    internal static bool IsValid(string? value) =>
        string.IsNullOrWhiteSpace(value)
        || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment));
}

/// <summary>Absolute URLs of public pages and feeds.</summary>
public sealed class PublicUrls(Microsoft.Extensions.Options.IOptions<PublicSiteOptions> options)
{
    /// <summary>The base URL without a trailing slash.</summary>
    public string BaseUrl(HttpRequest request)
    {
        var configured = options.Value.PublicBaseUrl;
        return !string.IsNullOrWhiteSpace(configured)
            ? configured.Trim().TrimEnd('/')
            : $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
    }

    public static string AllEventsFeed(string baseUrl) => $"{baseUrl}/calendar.ics";

    public static string TagFeed(string baseUrl, string tag) => $"{baseUrl}/calendar/tags/{Uri.EscapeDataString(tag)}.ics";

    public static string EventFeed(string baseUrl, string slug) => $"{baseUrl}/events/{Uri.EscapeDataString(slug)}.ics";

    public static string SessionFeed(string baseUrl, string slug, Guid sessionId) => $"{baseUrl}/events/{Uri.EscapeDataString(slug)}/sessions/{sessionId:D}.ics";

    /// <summary>The feed in a language: ?lang=cy for Welsh; English is the feed's plain address.</summary>
    public static string WithLanguage(string feedUrl, string language) =>
        language == Localisation.SiteCultures.English ? feedUrl : $"{feedUrl}?lang={language}";

    public static string EventPage(string baseUrl, string slug) => $"{baseUrl}/events/{Uri.EscapeDataString(slug)}";

    public static string LivePage(string baseUrl, string slug) => $"{baseUrl}/live/{Uri.EscapeDataString(slug)}";

    /// <summary>The same feed with the webcal scheme, which hands it to the calendar app as a subscription.</summary>
    public static string Webcal(string feedUrl) =>
        feedUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "webcal://" + feedUrl["https://".Length..]
        : feedUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "webcal://" + feedUrl["http://".Length..]
        : feedUrl;
}
