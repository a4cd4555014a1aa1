namespace LiveHub.Localisation;

/// <summary>A text as shown, and the language it is in ("en" or "cy").</summary>
public sealed record ShownText(string? Text, string Language)
{
    public bool IsEmpty => string.IsNullOrEmpty(Text);

    /// <summary>The <c>lang</c> attribute the text needs inside a page in the reader's language; null when it is the same.</summary>
    public string? LangAttribute => Language == SiteCultures.Current ? null : SiteCultures.HtmlLang(Language);
}

/// <summary>
/// Content that staff may write in English and in Welsh (an event's title, a speaker's bio, a live update). The reader
/// gets their own language when the content has it, otherwise the one it has.
/// </summary>
public static class Bilingual
{
    public static ShownText Pick(string? english, string? welsh) => Pick(english, welsh, SiteCultures.Current);

    public static ShownText Pick(string? english, string? welsh, string language) =>
        language == SiteCultures.Welsh && !string.IsNullOrWhiteSpace(welsh) ? new(welsh, SiteCultures.Welsh)
        : !string.IsNullOrWhiteSpace(english) ? new(english, SiteCultures.English)
        : !string.IsNullOrWhiteSpace(welsh) ? new(welsh, SiteCultures.Welsh)
        : new(english, SiteCultures.English);

    /// <summary>The link to the page in the other language, in that language: "Darllen yn Gymraeg" or "Read in English".</summary>
    public static string ReadInText(string language) => language == SiteCultures.Welsh ? "Darllen yn Gymraeg" : "Read in English";
}
