using System.Text.Encodings.Web;
using System.Text.Json;

namespace LiveHub.Pages;

/// <summary>schema.org JSON-LD inside a script element, safe whatever text staff typed.</summary>
public static class JsonLdScript
{
    // The default encoder escapes <, >, &, quotes and everything outside ASCII as \uXXXX: no text in the data can
    // close the element ("</script>") or open a comment ("<!--"), and the HTML parser never sees markup in it.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web) { Encoder = JavaScriptEncoder.Default };

    public static string Serialize(object document) => JsonSerializer.Serialize(document, Options);

    /// <summary>The script element; <paramref name="json"/> must come from <see cref="Serialize"/>.</summary>
    public static string Element(string json) =>
        json.Contains('<', StringComparison.Ordinal)
            ? throw new ArgumentException("JSON-LD must be serialised by JsonLdScript.Serialize (it escapes '<').", nameof(json))
            : $"<script type=\"application/ld+json\">{json}</script>";
}
