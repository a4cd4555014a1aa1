using System.Text.RegularExpressions;
using System.Xml.Linq;
using LiveHub.Localisation;

namespace LiveHub.Tests.Localisation;

/// <summary>Every text has an English and a Welsh version, with the same placeholders, and every key the code uses exists.</summary>
public sealed partial class StringResourcesTests
{
    private static readonly string Folder = Path.Combine(HardCodedEnglishTests.RepositoryRoot(), "src", "LiveHub", "Localisation");

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Folder, file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!);

    [Fact]
    public void English_and_welsh_have_the_same_keys_and_placeholders()
    {
        var english = Read("Strings.resx");
        var welsh = Read("Strings.cy.resx");

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), welsh.Keys.Order(StringComparer.Ordinal));
        Assert.All(english, pair => Assert.Equal(pair.Key, pair.Value));
        Assert.All(welsh, pair =>
        {
            Assert.False(string.IsNullOrWhiteSpace(pair.Value), $"No Welsh for '{pair.Key}'");
            Assert.Equal(Placeholders(pair.Key), Placeholders(pair.Value));
        });
    }

    [Fact]
    public void Every_text_the_pages_and_scripts_ask_for_is_in_the_resources()
    {
        var english = Read("Strings.resx");
        var source = Path.Combine(HardCodedEnglishTests.RepositoryRoot(), "src", "LiveHub");
        var used = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LocaliserKey().Matches(File.ReadAllText(f)).Concat(NotFoundMessage().Matches(File.ReadAllText(f)))
                .Select(m => (File: Path.GetFileName(f), Key: Regex.Unescape(m.Groups["key"].Value))))
            .ToList();
        Assert.Contains(used, u => u.Key == "Programme");
        Assert.Contains(used, u => u.Key == "There is no published recap of this session.");

        var missing = used.Where(u => !english.ContainsKey(u.Key))
            .Concat(ScriptStrings.English.Values.Where(v => !english.ContainsKey(v)).Select(v => (File: "ScriptStrings.cs", Key: v)))
            .Concat(StaffScriptStrings.English.Values.Where(v => !english.ContainsKey(v)).Select(v => (File: "StaffScriptStrings.cs", Key: v)))
            .Select(u => $"{u.File}: {u.Key}")
            .ToList();
        Assert.True(missing.Count == 0, "Not in Strings.resx and Strings.cy.resx:\n" + string.Join("\n", missing));
    }

    private static List<string> Placeholders(string text) =>
        [.. Placeholder().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?:\bL\[|SiteText\.Get\()""(?<key>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LocaliserKey();

    /// <summary>The message of a 404 page (<c>NotFoundPage</c> localises it; an interpolated one, <c>$"..."</c>, never matches a key).</summary>
    [GeneratedRegex(@"NotFoundPage>?\(new \{ Message = \$?""(?<key>(?:[^""\\]|\\.)*)""")]
    private static partial Regex NotFoundMessage();

    [Fact]
    public void Every_key_a_script_asks_for_is_in_its_dictionary()
    {
        // Public pages carry ScriptStrings only; staff pages carry both. A missing key shows the key itself on the page.
        var root = HardCodedEnglishTests.RepositoryRoot();
        var missing = new List<string>();
        foreach (var (folder, known) in new[]
        {
            (Path.Combine(root, "wwwroot", "js"), ScriptStrings.English.Keys.ToHashSet()),
            (Path.Combine(root, "wwwroot", "staff", "js"), ScriptStrings.English.Keys.Concat(StaffScriptStrings.English.Keys).ToHashSet()),
        })
        {
            foreach (var file in Directory.GetFiles(folder, "*.js"))
            {
                var source = File.ReadAllText(file);
                // t("key"), and staff keys chosen by a condition: t(done ? "staffSavedName" : "staffAddedName").
                var keys = ScriptKey().Matches(source).Select(m => m.Groups["key"].Value)
                    .Concat(StaffKey().Matches(source).Select(m => m.Groups["key"].Value));
                missing.AddRange(keys.Where(k => !known.Contains(k)).Distinct().Select(k => $"{Path.GetFileName(file)}: {k}"));
            }
        }

        Assert.True(missing.Count == 0, "Keys the scripts use that their pages do not carry:\n" + string.Join("\n", missing));
    }

    [GeneratedRegex(@"\bt\(""(?<key>[A-Za-z]\w*)""")]
    private static partial Regex ScriptKey();

    [GeneratedRegex(@"""(?<key>staff[A-Z]\w*)""")]
    private static partial Regex StaffKey();

    [Fact]
    public void Staff_script_keys_do_not_repeat_the_public_ones()
    {
        // Both dictionaries go into one JSON block on staff pages: a repeated key would hide one of the texts.
        Assert.Empty(StaffScriptStrings.English.Keys.Intersect(ScriptStrings.English.Keys));
    }
}
