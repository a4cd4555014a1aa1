using System.Text;

namespace LiveHub.ICalendar.Serialization;

/// <summary>RFC 5545 TEXT escaping and RFC 6868 parameter encoding.</summary>
public static class TextEscaping
{
    /// <summary>
    /// Escapes a TEXT value: backslash, ';' and ',' get a backslash, any line break becomes \n, other control
    /// characters except TAB are dropped. A colon is never escaped.
    /// </summary>
    public static string EscapeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\\': result.Append(@"\\"); break;
                case ';': result.Append(@"\;"); break;
                case ',': result.Append(@"\,"); break;
                case '\r':
                    result.Append(@"\n");
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\n': result.Append(@"\n"); break;
                default:
                    if (!IsDroppedControl(c))
                    {
                        result.Append(c);
                    }

                    break;
            }
        }

        return result.ToString();
    }

    /// <summary>Reverses <see cref="EscapeText"/>: \\ \; \, \n \N, and leniently \x → x. Newlines come back as "\n".</summary>
    public static string UnescapeText(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '\\' || i + 1 == value.Length)
            {
                result.Append(c);
                continue;
            }

            var next = value[++i];
            result.Append(next is 'n' or 'N' ? '\n' : next);
        }

        return result.ToString();
    }

    /// <summary>Splits a multi-valued TEXT (CATEGORIES, RESOURCES) on unescaped commas, then unescapes each item.</summary>
    public static List<string> SplitTextList(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var items = new List<string>();
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
            }
            else if (value[i] == ',')
            {
                items.Add(UnescapeText(value[start..i]));
                start = i + 1;
            }
        }

        items.Add(UnescapeText(value[start..]));
        return items;
    }

    /// <summary>
    /// Encodes one parameter value: RFC 6868 caret encoding (^ → ^^, newline → ^n, " → ^'), control characters
    /// dropped, then double quotes when the value contains ':', ';' or ','.
    /// </summary>
    public static string EncodeParameterValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = new StringBuilder(value.Length + 2);
        var needsQuotes = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '^': result.Append("^^"); break;
                case '"': result.Append("^'"); break;
                case '\r':
                    result.Append("^n");
                    if (i + 1 < value.Length && value[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\n': result.Append("^n"); break;
                default:
                    if (!IsDroppedControl(c))
                    {
                        needsQuotes |= c is ':' or ';' or ',';
                        result.Append(c);
                    }

                    break;
            }
        }

        return needsQuotes ? $"\"{result}\"" : result.ToString();
    }

    /// <summary>Decodes RFC 6868 caret sequences in an already unquoted parameter value; unknown ^x stays as is.</summary>
    public static string DecodeParameterValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('^', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '^' && i + 1 < value.Length)
            {
                var decoded = value[i + 1] switch
                {
                    'n' or 'N' => "\n",
                    '^' => "^",
                    '\'' => "\"",
                    _ => null,
                };
                if (decoded is not null)
                {
                    result.Append(decoded);
                    i++;
                    continue;
                }
            }

            result.Append(value[i]);
        }

        return result.ToString();
    }

    private static bool IsDroppedControl(char c) => (c < ' ' && c != '\t') || c == '\u007F';
}
