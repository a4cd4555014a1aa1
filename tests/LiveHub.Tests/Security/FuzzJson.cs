using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiveHub.Tests.Security;

/// <summary>A request body as bytes with its content type (null: no Content-Type header).</summary>
public sealed record FuzzBody(byte[] Bytes, string? ContentType);

/// <summary>
/// Mutates a valid JSON body: wrong types, nulls, missing and extra fields, huge strings and numbers, deep
/// nesting, invalid JSON, invalid UTF-8, wrong content types, out-of-range dates, negative numbers, unicode edge cases.
/// </summary>
public static class FuzzJson
{
    private const string JsonCharacters = "{}[],:\"\\ x0";

    private static readonly string[] RawNumbers =
    [
        "1e309", "-1e309", "99999999999999999999999999999", "-0", "1.5", "-1", "2147483648", "-2147483649", "9223372036854775808",
        "0.0000001e-400", "NaN", "Infinity", "-Infinity", "0x10", "01", "+1", ".5", "1.", "1e", "4.9e-324", "1.7976931348623157e308",
    ];

    private static readonly string[] Dates =
    [
        "0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59+14:00", "10000-01-01T00:00", "2030-02-30T10:00",
        "2030-06-01T25:00", "2030-06-01T10:00+14:59", "2030-06-01T10:00-23:59", "-0001-01-01T00:00", "2030-06-01", "1970-01-01T00:00:00Z",
        "2030-06-01T10:00:00.99999999999999Z", "P1D", "now", "", " ", "2030-06-01T10:00:00Z[Europe/London]", "2030-13-01T10:00", "0000-00-00T00:00",
        "2030-06-01T10:00:60", "2030-W22-1T10:00", "1900-01-01T00:00:00-12:00", "2030-06-01T10:00 ", "\u0662\u0660\u0663\u0660-06-01T10:00",
    ];

    private static readonly string[] Unicode =
    [
        "\u202Eevil.exe", "a\u200B\u200C\u200D\u2060b", "e" + new string('\u0301', 1000), "😀👍🏽👨‍👩‍👧‍👦", "\uFFFF\uFFFE", "\uFEFF", "\u0000", "\u0001\u0007\u001b[31m",
        "𝕏𝔂𝔃", "日本語のテキスト", "Ａ", "ﷺ", "\u2028\u2029", "<script>alert(1)</script>", "' OR '1'='1' --", "../../etc/passwd", "%00%ff", "\\u0000",
        "I\u0307stanbul", "ß", "ǅ", "\uD835\uDC00", "  padded  ", "\t\r\n",
    ];

    private static readonly string[] RawValues =
    [
        "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "'single'", "undefined", "True", "nul", "\"unterminated", "[1,2,]", "{\"a\":1,}", "/* c */ 1",
        "\"\\x41\"", "\"\\uZZZZ\"", "\"a\"\"b\"",
    ];

    private static readonly string[] WholeBodies =
    [
        "", "null", "[]", "\"text\"", "0", "true", "{", "}", "{\"a\":}", "{}", "[{}]", "{\"\":1}", "{\"__proto__\":{\"admin\":true}}", "\uFEFF{}",
        "{} {}", "{}garbage", "{'title':'x'}", "// comment\n{}", "{\"title\":\"x\"", "\u0000",
    ];

    private static readonly string?[] ContentTypes =
    [
        null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
        "application/json; charset=nonsense", "application/merge-patch+json", "*/*", "application/json;;;", "application/problem+json", "text/json",
        "application/JSON", "application/octet-stream", "image/png",
    ];

    public static FuzzBody Mutate(Random random, string validJson, out string description)
    {
        var done = new List<string>();
        var node = JsonNode.Parse(validJson)!;
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        var contentType = (string?)"application/json";
        byte[]? bytes = null;
        var operations = random.Next(1, 4);
        for (var op = 0; op < operations; op++)
        {
            var kind = random.Next(17);
            if (bytes is not null && kind is not (10 or 11 or 12))
            {
                continue; // Once the body is raw bytes, only byte-level and header mutations apply.
            }

            switch (kind)
            {
                case 0:
                {
                    var (name, set) = PickSlot(random, node);
                    var value = random.Next(7) switch
                    {
                        0 => (JsonNode?)JsonValue.Create(random.Next(-1000, 1000)),
                        1 => JsonValue.Create(random.Next(2) == 0),
                        2 => JsonValue.Create("text"),
                        3 => new JsonArray(JsonValue.Create(1), JsonValue.Create("a"), null),
                        4 => new JsonObject { ["nested"] = "value" },
                        5 => JsonValue.Create(12.5),
                        _ => null,
                    };
                    set(value);
                    done.Add($"{name} = {value?.ToJsonString() ?? "null"}");
                    break;
                }

                case 1:
                {
                    if (node is JsonObject obj && obj.Count > 0)
                    {
                        var name = obj.ElementAt(random.Next(obj.Count)).Key;
                        obj.Remove(name);
                        done.Add($"remove {name}");
                    }

                    break;
                }

                case 2:
                {
                    if (node is JsonObject obj)
                    {
                        var name = random.Next(3) switch { 0 => "extra", 1 => "id", _ => "isAdmin" };
                        obj[name] = random.Next(2) == 0 ? JsonValue.Create("surprise") : new JsonObject { ["deep"] = new JsonArray(1, 2, 3) };
                        done.Add($"extra field {name}");
                    }

                    break;
                }

                case 3:
                {
                    var (name, set) = PickSlot(random, node);
                    var length = random.Next(4) == 0 ? random.Next(200_000, 1_000_000) : random.Next(300, 20_000);
                    set(JsonValue.Create(new string(random.Next(2) == 0 ? 'x' : 'é', length)));
                    done.Add($"{name} = huge string ({length} chars)");
                    break;
                }

                case 4:
                {
                    var (name, set) = PickSlot(random, node);
                    var number = RawNumbers[random.Next(RawNumbers.Length)];
                    set(Raw(raw, number));
                    done.Add($"{name} = {number}");
                    break;
                }

                case 5:
                {
                    var (name, set) = PickSlot(random, node, preferName: "At");
                    var date = Dates[random.Next(Dates.Length)];
                    set(JsonValue.Create(date));
                    done.Add($"{name} = date '{date}'");
                    break;
                }

                case 6:
                {
                    var (name, set) = PickSlot(random, node);
                    var text = Unicode[random.Next(Unicode.Length)];
                    set(JsonValue.Create(text));
                    done.Add($"{name} = unicode '{Escape(text)}'");
                    break;
                }

                case 7:
                {
                    var (name, set) = PickSlot(random, node);
                    var number = random.Next(6) switch { 0 => -1, 1 => int.MinValue, 2 => int.MaxValue, 3 => 0, 4 => -181.5, _ => 1e308 };
                    set(JsonValue.Create(number));
                    done.Add($"{name} = {number.ToString(CultureInfo.InvariantCulture)}");
                    break;
                }

                case 8:
                {
                    var (name, set) = PickSlot(random, node);
                    var depth = random.Next(3) == 0 ? random.Next(1_000, 100_000) : random.Next(10, 200);
                    var nested = random.Next(2) == 0
                        ? new string('[', depth) + new string(']', depth)
                        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                    set(Raw(raw, nested));
                    done.Add($"{name} = nested {depth} deep");
                    break;
                }

                case 9:
                {
                    var body = WholeBodies[random.Next(WholeBodies.Length)];
                    bytes = Encoding.UTF8.GetBytes(body);
                    done.Add($"body '{Escape(body)}'");
                    break;
                }

                case 10:
                {
                    bytes ??= Serialize(node, raw);
                    var list = bytes.ToList();
                    var at = list.Count == 0 ? 0 : random.Next(list.Count);
                    switch (random.Next(3))
                    {
                        case 0: list.RemoveRange(at, list.Count - at); done.Add($"truncate at {at}"); break;
                        case 1: list.Insert(at, (byte)JsonCharacters[random.Next(JsonCharacters.Length)]); done.Add($"insert a JSON character at {at}"); break;
                        default:
                            if (list.Count > 0)
                            {
                                list.RemoveAt(at);
                            }

                            done.Add($"delete byte {at}");
                            break;
                    }

                    bytes = [.. list];
                    break;
                }

                case 11:
                {
                    bytes ??= Serialize(node, raw);
                    var list = bytes.ToList();
                    var quotes = list.Select((b, i) => (b, i)).Where(x => x.b == '"').Select(x => x.i).ToList();
                    var at = quotes.Count > 0 ? quotes[random.Next(quotes.Count)] + 1 : 0;
                    byte[] bad = random.Next(5) switch { 0 => [0xFF], 1 => [0xC3, 0x28], 2 => [0xED, 0xA0, 0x80], 3 => [0xC0, 0xAF], _ => [0xF4, 0x90, 0x80, 0x80] };
                    list.InsertRange(Math.Min(at, list.Count), bad);
                    bytes = [.. list];
                    done.Add($"invalid UTF-8 {Convert.ToHexString(bad)} at {at}");
                    break;
                }

                case 12:
                    contentType = ContentTypes[random.Next(ContentTypes.Length)];
                    done.Add($"Content-Type: {contentType ?? "(none)"}");
                    break;
                case 13:
                {
                    if (node is JsonObject obj && obj.Count > 0)
                    {
                        var name = obj.ElementAt(random.Next(obj.Count)).Key;
                        var marker = $"__duplicate_{raw.Count}__";
                        obj[marker] = Raw(raw, "\"duplicate\"");
                        raw[$"\"{marker}\""] = JsonSerializer.Serialize(name);
                        done.Add($"duplicate key {name}");
                    }

                    break;
                }

                case 14:
                {
                    if (node is JsonObject obj && obj.Count > 0)
                    {
                        var (name, value) = obj.ElementAt(random.Next(obj.Count));
                        obj.Remove(name);
                        var changed = random.Next(2) == 0 ? name.ToUpperInvariant() : name + " ";
                        obj[changed] = value;
                        done.Add($"key {name} -> '{changed}'");
                    }

                    break;
                }

                case 15:
                {
                    var (name, set) = PickSlot(random, node);
                    var text = random.Next(6) switch { 0 => "Scheduled", 1 => "SCHEDULED", 2 => "1", 3 => "scheduled ", 4 => "cancelled,scheduled", _ => "null" };
                    set(JsonValue.Create(text));
                    done.Add($"{name} = '{text}'");
                    break;
                }

                default:
                {
                    var (name, set) = PickSlot(random, node);
                    var count = random.Next(3) == 0 ? random.Next(5_000, 50_000) : random.Next(5, 100);
                    var array = new JsonArray();
                    for (var i = 0; i < count; i++)
                    {
                        array.Add(random.Next(4) switch { 0 => null, 1 => JsonValue.Create(i), 2 => JsonValue.Create(Guid.NewGuid()), _ => JsonValue.Create("tag" + i) });
                    }

                    set(array);
                    done.Add($"{name} = array of {count}");
                    break;
                }
            }
        }

        description = done.Count == 0 ? "unchanged" : string.Join("; ", done);
        return new FuzzBody(bytes ?? Serialize(node, raw), contentType);
    }

    private static JsonValue Raw(Dictionary<string, string> raw, string text)
    {
        var marker = $"__raw_{raw.Count}__";
        raw[$"\"{marker}\""] = text;
        return JsonValue.Create(marker);
    }

    private static byte[] Serialize(JsonNode node, Dictionary<string, string> raw)
    {
        var json = node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach (var (marker, text) in raw)
        {
            json = json.Replace(marker, text, StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>A place in the body to put a value: a property of the root or of a nested object, or an array element.</summary>
    private static (string Name, Action<JsonNode?> Set) PickSlot(Random random, JsonNode root, string? preferName = null)
    {
        var slots = new List<(string, Action<JsonNode?>)>();
        Collect(root, "$", slots);
        if (preferName is not null && slots.Where(s => s.Item1.EndsWith(preferName, StringComparison.Ordinal)).ToList() is { Count: > 0 } preferred && random.Next(4) > 0)
        {
            return preferred[random.Next(preferred.Count)];
        }

        if (slots.Count == 0 || random.Next(10) == 0)
        {
            // A new field, or (for a body that is not an object) nothing to do.
            return root is JsonObject obj ? ("$.added", v => obj["added"] = v) : ("$ (not an object)", _ => { });
        }

        return slots[random.Next(slots.Count)];
    }

    private static void Collect(JsonNode? node, string path, List<(string, Action<JsonNode?>)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    slots.Add(($"{path}.{name}", v => obj[name] = v));
                    Collect(child, $"{path}.{name}", slots);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var index = i;
                    slots.Add(($"{path}[{index}]", v => array[index] = v));
                    Collect(array[index], $"{path}[{index}]", slots);
                }

                break;
        }
    }

    private static string Escape(string text)
    {
        var shown = new StringBuilder();
        foreach (var c in text.Take(80))
        {
            shown.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.Length > 80 ? shown + "…" : shown.ToString();
    }
}
