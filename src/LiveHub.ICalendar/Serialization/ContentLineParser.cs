using System.Buffers;
using System.Text;

namespace LiveHub.ICalendar.Serialization;

internal sealed record ContentLine(int LineNumber, string Name, List<CalendarParameter> Parameters, string Value)
{
    public string? GetParameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    public CalendarProperty ToProperty() => new(Name, Value, Parameters);
}

internal sealed record LogicalLine(int LineNumber, string Text);

/// <summary>Bytes → logical lines → content lines, following the reader rules: unfold on bytes, then decode.</summary>
internal static class ContentLineParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly SearchValues<byte> LineBreaks = SearchValues.Create("\r\n"u8);

    /// <summary>Strips a BOM, unfolds (CRLF, LF or CR followed by SPACE/HTAB) and decodes each logical line.</summary>
    public static List<LogicalLine> ReadLogicalLines(ReadOnlySpan<byte> input, int maxLineBytes, Action<int, string> warn)
    {
        if (input.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            input = input[3..];
        }

        var raw = new List<(int LineNumber, byte[] Bytes)>();
        var buffer = new ArrayBufferWriter<byte>(256);
        var physicalLine = 1;
        var logicalStart = 1;
        var position = 0;
        while (position <= input.Length)
        {
            var rest = input[position..];
            var breakAt = rest.IndexOfAny(LineBreaks);
            var chunk = breakAt < 0 ? rest : rest[..breakAt];
            if (buffer.WrittenCount + chunk.Length > maxLineBytes)
            {
                throw new CalendarParseException(logicalStart, $"line is longer than the limit of {maxLineBytes} bytes");
            }

            buffer.Write(chunk);
            if (breakAt < 0)
            {
                break;
            }

            var next = position + breakAt + 1;
            if (input[position + breakAt] == '\r' && next < input.Length && input[next] == '\n')
            {
                next++;
            }

            physicalLine++;
            if (next < input.Length && input[next] is (byte)' ' or (byte)'\t')
            {
                position = next + 1;
                continue;
            }

            raw.Add((logicalStart, buffer.WrittenSpan.ToArray()));
            buffer.ResetWrittenCount();
            logicalStart = physicalLine;
            position = next;
            if (position == input.Length)
            {
                break;
            }
        }

        if (buffer.WrittenCount > 0)
        {
            raw.Add((logicalStart, buffer.WrittenSpan.ToArray()));
        }

        return Decode(raw, warn);
    }

    private static List<LogicalLine> Decode(List<(int LineNumber, byte[] Bytes)> raw, Action<int, string> warn)
    {
        var lines = new List<LogicalLine>(raw.Count);
        foreach (var (lineNumber, bytes) in raw)
        {
            try
            {
                lines.Add(new LogicalLine(lineNumber, StrictUtf8.GetString(bytes)));
            }
            catch (DecoderFallbackException)
            {
                warn(lineNumber, "input is not valid UTF-8; decoded as Windows-1252");
                var fallback = CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;
                return [.. raw.Select(r => new LogicalLine(r.LineNumber, fallback.GetString(r.Bytes)))];
            }
        }

        return lines;
    }

    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    /// <summary>Parses NAME *(;PARAM=VALUE[,VALUE]) : VALUE; the value starts at the first ':' outside quotes.</summary>
    public static ContentLine? TryParse(LogicalLine line, out string? error)
    {
        error = null;
        var text = line.Text;
        var i = 0;
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }

        var nameStart = i;
        while (i < text.Length && IsNameChar(text[i]))
        {
            i++;
        }

        if (i == nameStart || i == text.Length || text[i] is not (';' or ':'))
        {
            error = $"not an iCalendar content line: '{ValueFormats.Shorten(text.Trim())}'";
            return null;
        }

        var name = text[nameStart..i].ToUpperInvariant();
        var parameters = new List<CalendarParameter>();
        while (text[i] == ';')
        {
            i++;
            var parameterStart = i;
            while (i < text.Length && IsNameChar(text[i]))
            {
                i++;
            }

            if (i == parameterStart || i == text.Length || text[i] != '=')
            {
                error = $"{name}: malformed parameter (expected NAME=VALUE)";
                return null;
            }

            var parameterName = text[parameterStart..i];
            i++;
            var values = new List<string>();
            while (true)
            {
                if (i < text.Length && text[i] == '"')
                {
                    var close = text.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        error = $"{name}: unterminated quoted value of parameter {parameterName.ToUpperInvariant()}";
                        return null;
                    }

                    values.Add(TextEscaping.DecodeParameterValue(text[(i + 1)..close]));
                    i = close + 1;
                    if (i == text.Length || text[i] is not (',' or ';' or ':'))
                    {
                        error = $"{name}: unexpected character after the quoted value of parameter {parameterName.ToUpperInvariant()}";
                        return null;
                    }
                }
                else
                {
                    var end = text.AsSpan(i).IndexOfAny(",;:\"");
                    if (end < 0 || text[i + end] == '"')
                    {
                        error = end < 0 ? $"{name}: no ':' before the value" : $"{name}: stray '\"' in parameter {parameterName.ToUpperInvariant()}";
                        return null;
                    }

                    values.Add(TextEscaping.DecodeParameterValue(text.Substring(i, end)));
                    i += end;
                }

                if (text[i] != ',')
                {
                    break;
                }

                i++;
            }

            parameters.Add(new CalendarParameter(parameterName, values));
        }

        // Here text[i] is ':' (the loop above only exits on ':' or returns).
        return new ContentLine(line.LineNumber, name, parameters, text[(i + 1)..]);
    }
}
