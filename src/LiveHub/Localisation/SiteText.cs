using System.Globalization;
using System.Resources;

namespace LiveHub.Localisation;

/// <summary>
/// The site's texts (Strings.resx, Strings.cy.resx) in a language named by the caller rather than the request's: for
/// output whose language is chosen otherwise, like a calendar feed's <c>?lang=</c>.
/// </summary>
public static class SiteText
{
    private static readonly ResourceManager Resources = new(typeof(Strings).FullName!, typeof(Strings).Assembly);

    /// <summary>The text for an English key in "en" or "cy", formatted with the arguments; the key itself if there is none.</summary>
    public static string Get(string english, string language, params object?[] arguments)
    {
        var culture = CultureInfo.GetCultureInfo(language == SiteCultures.Welsh ? SiteCultures.Welsh : SiteCultures.English);
        var text = Resources.GetString(english, culture) ?? english;
        return arguments.Length == 0 ? text : string.Format(CultureInfo.InvariantCulture, text, arguments);
    }
}
