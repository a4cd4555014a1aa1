using System.Text;

namespace LiveHub.ICalendar.Serialization;

/// <summary>Folding of content lines at 75 octets of UTF-8, never inside a Unicode scalar value.</summary>
public static class ContentLineFolding
{
    public const int MaxLineOctets = 75;

    /// <summary>
    /// Appends <paramref name="line"/> (without line break) folded: before a scalar that would push the physical line
    /// past 75 octets (a continuation's leading space included) a CRLF + SPACE is inserted. Ends with CRLF.
    /// Lone surrogates become U+FFFD so the output always encodes as valid UTF-8.
    /// </summary>
    public static void AppendFolded(StringBuilder output, string line)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(line);
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var length = rune.Utf8SequenceLength;
            if (octets + length > MaxLineOctets)
            {
                output.Append("\r\n ");
                octets = 1;
            }

            output.Append(rune.ToString());
            octets += length;
        }

        output.Append("\r\n");
    }

    public static string Fold(string line)
    {
        var output = new StringBuilder(line.Length + 8);
        AppendFolded(output, line);
        return output.ToString();
    }

    /// <summary>Unfolds UTF-8 bytes: removes every line break (CRLF, LF or CR) followed by one SPACE or HTAB.</summary>
    public static byte[] Unfold(ReadOnlySpan<byte> bytes)
    {
        var output = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                var breakEnd = i + 1;
                if (b == '\r' && breakEnd < bytes.Length && bytes[breakEnd] == '\n')
                {
                    breakEnd++;
                }

                if (breakEnd < bytes.Length && bytes[breakEnd] is (byte)' ' or (byte)'\t')
                {
                    i = breakEnd;
                    continue;
                }
            }

            output.Add(b);
        }

        return [.. output];
    }
}
