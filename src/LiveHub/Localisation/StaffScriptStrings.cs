using System.Text.Json;
using Microsoft.Extensions.Localization;

namespace LiveHub.Localisation;

/// <summary>
/// The text the staff console's scripts (<c>wwwroot/staff/js</c>) show, written with the public scripts' texts into
/// the same <c>#livehub-strings</c> block of every staff page (the console reuses <c>/js</c> scripts such as the
/// live renderer). Staff scripts read it with <c>import { t } from "/js/strings.js"</c>; add a key here and the
/// English to both resx files, as for <see cref="ScriptStrings"/>. Keys must not repeat one of the public keys.
/// </summary>
public static class StaffScriptStrings
{
    public static readonly IReadOnlyDictionary<string, string> English = new Dictionary<string, string>
    {
        ["staffLoading"] = "Loading…",
        ["staffYourPublicName"] = "Your public name: change it",
    };

    /// <summary>The public scripts' texts and the staff scripts' texts, in the reader's language.</summary>
    public static string Json(IStringLocalizer<Strings> localizer) =>
        JsonSerializer.Serialize(ScriptStrings.English.Concat(English).ToDictionary(pair => pair.Key, pair => localizer[pair.Value].Value));
}
