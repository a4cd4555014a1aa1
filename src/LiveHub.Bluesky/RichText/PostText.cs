using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LiveHub.Bluesky.RichText;

/// <summary>Length rules of post text: the lexicon counts graphemes (extended clusters) and UTF-8 bytes.</summary>
public static partial class PostText
{
    public const int MaxGraphemes = 300;
    public const int MaxBytes = 3000;
    public const int MaxTagGraphemes = 64;
    public const int MaxTagBytes = 640;

    public static int CountGraphemes(string text) => new StringInfo(text).LengthInTextElements;

    public static int CountUtf8Bytes(string text) => Encoding.UTF8.GetByteCount(text);

    public static bool Fits(string text, int maxGraphemes = MaxGraphemes, int maxBytes = MaxBytes) =>
        CountUtf8Bytes(text) <= maxBytes && CountGraphemes(text) <= maxGraphemes;

    /// <summary>UTF-8 byte offset of the UTF-16 index <paramref name="utf16Index"/>.</summary>
    public static int Utf8Offset(string text, int utf16Index) => Encoding.UTF8.GetByteCount(text.AsSpan(0, utf16Index));

    /// <summary>CRLF → LF and runs of 3+ line breaks (whitespace or invisible separators between) → one blank line.</summary>
    public static string CleanNewlines(string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return ExcessLineBreaks().Replace(normalized, "\n\n");
    }

    [GeneratedRegex("\n(?:[ \t\u00AD\u2060\u200B-\u200D]*\n){2,}", RegexOptions.CultureInvariant)]
    private static partial Regex ExcessLineBreaks();
}
