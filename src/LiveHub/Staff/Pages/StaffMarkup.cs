using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace LiveHub.Staff.Pages;

/// <summary>Localised text around a little markup of the page's own (an example in <c>&lt;code&gt;</c>, a key in <c>&lt;kbd&gt;</c>).</summary>
public static class StaffMarkup
{
    /// <summary>The text, HTML-encoded, with <c>{0}</c>, <c>{1}</c>... replaced by the page's markup. Never pass user data as markup.</summary>
    public static MarkupString Format(LocalizedString text, params string[] markup) =>
        new(string.Format(CultureInfo.InvariantCulture, WebUtility.HtmlEncode(text.Value), [.. markup]));

    /// <summary>The text with each <c>{n}</c> replaced by its example in <c>&lt;code&gt;</c>.</summary>
    public static MarkupString Code(LocalizedString text, params string[] examples) =>
        Format(text, [.. examples.Select(e => "<code>" + WebUtility.HtmlEncode(e) + "</code>")]);
}
