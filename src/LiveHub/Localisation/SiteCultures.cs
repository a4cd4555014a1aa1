using System.Globalization;

namespace LiveHub.Localisation;

/// <summary>The two languages of the site. English is the default; Welsh is chosen by cookie, <c>?culture=</c> or Accept-Language.</summary>
public static class SiteCultures
{
    public const string English = "en";
    public const string Welsh = "cy";

    public static readonly IReadOnlyList<string> All = [English, Welsh];

    /// <summary>The language of the current request: "cy" or "en".</summary>
    public static string Current => IsWelsh(CultureInfo.CurrentUICulture) ? Welsh : English;

    public static bool CurrentIsWelsh => Current == Welsh;

    public static bool IsWelsh(CultureInfo culture) =>
        culture.TwoLetterISOLanguageName.Equals(Welsh, StringComparison.OrdinalIgnoreCase);

    /// <summary>The culture whose names of days and months the pages use: British English or Welsh.</summary>
    public static CultureInfo Formatting => CurrentIsWelsh ? WelshFormatting : EnglishFormatting;

    /// <summary>The value of <c>&lt;html lang&gt;</c> and of JSON-LD's <c>inLanguage</c>.</summary>
    public static string HtmlLang(string language) => language == Welsh ? "cy" : "en-GB";

    /// <summary>"cy" or "en" for a supported language tag, otherwise null.</summary>
    public static string? Normalise(string? language)
    {
        if (string.IsNullOrWhiteSpace(language))
        {
            return null;
        }

        var primary = language.Trim().Split('-', '_')[0];
        return All.FirstOrDefault(c => c.Equals(primary, StringComparison.OrdinalIgnoreCase));
    }

    private static readonly CultureInfo EnglishFormatting = CultureInfo.GetCultureInfo("en-GB");
    private static readonly CultureInfo WelshFormatting = CultureInfo.GetCultureInfo("cy-GB");
}
