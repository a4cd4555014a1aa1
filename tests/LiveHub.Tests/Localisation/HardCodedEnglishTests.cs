using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace LiveHub.Tests.Localisation;

/// <summary>
/// No English may reach a reader except through the localiser. Razor pages are checked in their compiled form: every
/// string literal the render methods hand to the render tree (static markup, text, and the attributes people read:
/// title, alt, placeholder, aria-label, content) must hold no words. Scripts (public and staff) are checked for string literals with words.
/// </summary>
public sealed partial class HardCodedEnglishTests
{
    /// <summary>Names that are the same in both languages: the brand, a product, a URL scheme (a placeholder of a web address field).</summary>
    private static readonly string[] Names = ["LiveHub", "Google Calendar", "https://"];

    private static readonly HashSet<string> ReadableAttributes = ["title", "alt", "placeholder", "aria-label", "label"];

    [Fact]
    public void Razor_pages_send_no_literal_words_to_the_page()
    {
        var components = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && t.Namespace?.StartsWith("LiveHub", StringComparison.Ordinal) == true)
            .ToList();
        Assert.Contains(components, t => t.Name == "EventPage");
        Assert.Contains(components, t => t.Name == "QuestionsBoard");
        // The staff console is held to the same rule: its shell and every page.
        Assert.Contains(components, t => t.Name == "StaffShell");
        Assert.True(components.Count(t => t.Namespace == "LiveHub.Staff.Pages") >= 14, "The staff pages are missing from the check.");

        var findings = components.SelectMany(HardCodedTextIn).ToList();

        Assert.True(findings.Count == 0, "Text that does not go through the localiser (L[\"...\"]):\n" + string.Join("\n", findings));
    }

    [Fact]
    public void The_razor_check_finds_a_hard_coded_paragraph()
    {
        Assert.Contains(HardCodedTextIn(typeof(Fixtures.HardCodedParagraph)), f => f.Contains("Hello", StringComparison.Ordinal));
        Assert.Contains(HardCodedTextIn(typeof(Fixtures.HardCodedAttribute)), f => f.Contains("Find things", StringComparison.Ordinal));
        Assert.Empty(HardCodedTextIn(typeof(Fixtures.LocalisedParagraph)));
    }

    [Fact]
    public void Scripts_hold_no_english_of_their_own()
    {
        // The public scripts and the staff console's (wwwroot/staff/js, whose texts are in StaffScriptStrings.cs).
        var root = RepositoryRoot();
        var files = Directory.GetFiles(Path.Combine(root, "wwwroot", "js"), "*.js")
            .Concat(Directory.GetFiles(Path.Combine(root, "wwwroot", "staff", "js"), "*.js")).ToList();
        Assert.Contains(files, f => f.EndsWith($"{Path.DirectorySeparatorChar}live.js", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith($"{Path.DirectorySeparatorChar}live-console.js", StringComparison.Ordinal));

        var findings = files.SelectMany(f => EnglishInScript(Path.GetRelativePath(root, f), File.ReadAllText(f))).ToList();

        Assert.True(findings.Count == 0, "English in scripts (add it to Localisation/ScriptStrings.cs, or StaffScriptStrings.cs for wwwroot/staff, and use t(\"key\")):\n"
            + string.Join("\n", findings));
    }

    [Fact]
    public void The_script_check_finds_english()
    {
        Assert.NotEmpty(EnglishInScript("x.js", "button.textContent = \"Copy link\";"));
        Assert.NotEmpty(EnglishInScript("x.js", "say(`Your agenda was ${x}`);"));
        Assert.NotEmpty(EnglishInScript("x.js", "label.textContent = \"Paused\";"));
        Assert.NotEmpty(EnglishInScript("x.js", "bar.textContent = `${n} new ${n === 1 ? \"update\" : \"updates\"}`;"));
        Assert.Empty(EnglishInScript("x.js", "button.textContent = t(\"copyLink\");\n// Shows \"Copy link\"\nconsole.warn(\"Could not apply live changes:\", error);"));
    }

    /// <summary>Protocol values and key names that look like words (SignalR states and methods, keyboard keys, problem titles).</summary>
    private static readonly HashSet<string> AllowedScriptLiterals =
    [
        "Join", "Leave", "Disconnected", "Connected", "Home", "End", "Enter", "Escape", "Agenda not found", "livehub:embed-height",
        // Staff API values: roles, a health check's state, and Bluesky (a name) as the fallback for a handle.
        "Admin", "Editor", "Unhealthy", "Bluesky",
    ];

    private static IEnumerable<string> EnglishInScript(string file, string source)
    {
        var lines = source.Split('\n');
        var inBlockComment = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (inBlockComment)
            {
                inBlockComment = !line.Contains("*/", StringComparison.Ordinal);
                continue;
            }

            if (line.StartsWith("/*", StringComparison.Ordinal))
            {
                inBlockComment = !line.Contains("*/", StringComparison.Ordinal);
                continue;
            }

            // graphemes.js mirrors the Bluesky text the server composes (CrossPostText), which is not page text.
            // Class names, rel values and selectors are not text either.
            if (line.StartsWith("//", StringComparison.Ordinal) || line.Contains("console.", StringComparison.Ordinal) || NotText().IsMatch(line)
                || line.Contains("new Error(", StringComparison.Ordinal) || (file.EndsWith("graphemes.js", StringComparison.Ordinal) && line.Contains("Key moment", StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (Match literal in StringLiteral().Matches(line))
            {
                var text = literal.Groups["text"].Value;
                var withoutExpressions = Interpolation().Replace(text, " ");
                if (AllowedScriptLiterals.Contains(text))
                {
                    continue;
                }

                var isTemplateWithWords = literal.Groups["q"].Value == "`" && StandaloneWord().IsMatch(withoutExpressions);
                if (isTemplateWithWords || Sentence().IsMatch(withoutExpressions) || CapitalisedWord().IsMatch(withoutExpressions))
                {
                    yield return $"{file}:{i + 1}: {literal.Value}";
                }
            }
        }
    }

    private static IEnumerable<string> HardCodedTextIn(Type component)
    {
        var types = new[] { component }.Concat(component.GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public));
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                foreach (var finding in HardCodedTextIn(method))
                {
                    yield return $"{component.Name}: {finding}";
                }
            }
        }
    }

    /// <summary>Walks the IL: a string literal pushed right before a render-tree call is text the page shows.</summary>
    private static IEnumerable<string> HardCodedTextIn(MethodInfo method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        var recentStrings = new List<string?>();
        var position = 0;
        while (position < il.Length)
        {
            var opcode = ReadOpCode(il, ref position);
            string? literal = null;
            MethodBase? called = null;
            if (opcode == OpCodes.Ldstr)
            {
                literal = module.ResolveString(BitConverter.ToInt32(il, position));
            }
            else if (opcode == OpCodes.Call || opcode == OpCodes.Callvirt)
            {
                try
                {
                    called = module.ResolveMethod(BitConverter.ToInt32(il, position));
                }
                catch (ArgumentException)
                {
                    called = null;
                }
            }

            position += OperandSize(opcode, il, position);

            if (called?.DeclaringType == typeof(RenderTreeBuilder) && recentStrings.Count > 0 && recentStrings[^1] is { } last)
            {
                switch (called.Name)
                {
                    case "AddMarkupContent":
                        foreach (var text in WordsInMarkup(last))
                        {
                            yield return text;
                        }

                        break;
                    case "AddContent" when HasWords(last):
                        yield return last;
                        break;
                    case "AddAttribute" when recentStrings.Count > 1 && recentStrings[^2] is { } name && ReadableAttributes.Contains(name) && HasWords(last):
                        yield return $"{name}=\"{last}\"";
                        break;
                }
            }

            recentStrings.Add(literal);
        }
    }

    private static IEnumerable<string> WordsInMarkup(string markup)
    {
        foreach (Match attribute in ReadableAttribute().Matches(markup))
        {
            if (HasWords(attribute.Groups["value"].Value))
            {
                yield return attribute.Value;
            }
        }

        var text = Tag().Replace(markup, "\n");
        foreach (var node in text.Split('\n'))
        {
            if (HasWords(node))
            {
                yield return node.Trim();
            }
        }
    }

    private static bool HasWords(string text) => Word().IsMatch(Names.Aggregate(text, (rest, name) => rest.Replace(name, "", StringComparison.Ordinal)));

    private static OpCode ReadOpCode(byte[] il, ref int position)
    {
        var first = il[position++];
        return first == 0xFE ? TwoByteOpCodes[il[position++]] : OneByteOpCodes[first];
    }

    private static int OperandSize(OpCode opcode, byte[] il, int position) => opcode.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
        _ => 4,
    };

    private static readonly OpCode[] OneByteOpCodes = new OpCode[256];
    private static readonly OpCode[] TwoByteOpCodes = new OpCode[256];

    static HardCodedEnglishTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opcode = (OpCode)field.GetValue(null)!;
            var value = (ushort)opcode.Value;
            if (opcode.Size == 1)
            {
                OneByteOpCodes[value] = opcode;
            }
            else
            {
                TwoByteOpCodes[value & 0xFF] = opcode;
            }
        }
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiveHub.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("LiveHub.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\p{L}{2,}")]
    private static partial Regex Word();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\b(?:title|alt|placeholder|aria-label|label)=""(?<value>[^""]*)""")]
    private static partial Regex ReadableAttribute();

    [GeneratedRegex(@"(?<q>[""'`])(?<text>(?:\\.|(?!\k<q>).)*)\k<q>")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\bclass\b|className|classList|\brel:|\.rel = |querySelector|matchMedia|\.closest\(|\.matches\(")]
    private static partial Regex NotText();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();

    /// <summary>Two words with a space between: "Copy link", "Your agenda was".</summary>
    [GeneratedRegex(@"\p{L}{2,}[ ,:;]+\p{L}{2,}")]
    private static partial Regex Sentence();

    /// <summary>A word standing alone between spaces, as in `${n} new ${noun}` (not a name like `post-${id}` or a URL).</summary>
    [GeneratedRegex(@"(?<=^|\s)\p{L}{2,}[.!?:,]?(?=\s|$)")]
    private static partial Regex StandaloneWord();

    /// <summary>One capitalised word: "Paused", "Cancelled".</summary>
    [GeneratedRegex(@"^\s*\p{Lu}\p{Ll}+[.!…]?\s*$")]
    private static partial Regex CapitalisedWord();
}
