namespace LiveHub.ICalendar.Serialization;

/// <summary>
/// Lenient, limit-aware iCalendar reader. Malformed input yields warnings (or, when nothing usable is left or a
/// limit is hit, a <see cref="CalendarParseException"/> with the line number); no other exception type escapes
/// for bad input. Thread-safe: each call works on its own state.
/// </summary>
public sealed class CalendarReader(CalendarReaderOptions? options = null)
{
    public CalendarReaderOptions Options { get; } = options ?? new CalendarReaderOptions();

    public CalendarReadResult Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Read(System.Text.Encoding.UTF8.GetBytes(text));
    }

    public CalendarReadResult Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Read(bytes.AsSpan());
    }

    public CalendarReadResult Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Options.MaxInputBytes)
        {
            throw new CalendarParseException(0, $"input is larger than the limit of {Options.MaxInputBytes} bytes");
        }

        var diagnostics = new Diagnostics(Options);
        try
        {
            var lines = ContentLineParser.ReadLogicalLines(bytes, Options.MaxLineBytes, diagnostics.Warn);
            var roots = new StructureBuilder(Options, diagnostics).Build(lines);
            var calendars = new ModelBuilder(diagnostics).Build(roots);
            if (calendars.Count == 0)
            {
                var firstLine = lines.FirstOrDefault(l => !string.IsNullOrWhiteSpace(l.Text));
                throw new CalendarParseException(
                    firstLine?.LineNumber ?? 0,
                    firstLine is null ? "input is empty" : "no BEGIN:VCALENDAR found (not an iCalendar file)");
            }

            return new CalendarReadResult(calendars, diagnostics.Warnings);
        }
        catch (CalendarParseException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or InvalidOperationException
            or IndexOutOfRangeException or NullReferenceException or KeyNotFoundException)
        {
            // Safety net so callers only ever see CalendarParseException for bad input; the tests assert it is never hit.
            throw new CalendarParseException(diagnostics.CurrentLine, $"unexpected error: {ex.Message}", ex);
        }
    }

    public CalendarReadResult Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > Options.MaxInputBytes)
            {
                throw new CalendarParseException(0, $"input is larger than the limit of {Options.MaxInputBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    public async Task<CalendarReadResult> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > Options.MaxInputBytes)
            {
                throw new CalendarParseException(0, $"input is larger than the limit of {Options.MaxInputBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}

internal sealed class Diagnostics(CalendarReaderOptions options)
{
    private readonly List<CalendarWarning> _warnings = [];

    public IReadOnlyList<CalendarWarning> Warnings => _warnings;

    public int CurrentLine { get; set; }

    public int Dropped { get; private set; }

    public void Warn(int lineNumber, string message)
    {
        if (options.Strict)
        {
            throw new CalendarParseException(lineNumber, message);
        }

        if (_warnings.Count < options.MaxWarnings)
        {
            _warnings.Add(new CalendarWarning(lineNumber, message));
        }
        else
        {
            Dropped++;
        }
    }
}

internal sealed class RawComponent(string name, int lineNumber)
{
    public string Name { get; } = name;

    public int LineNumber { get; } = lineNumber;

    public List<ContentLine> Properties { get; } = [];

    public List<RawComponent> Children { get; } = [];

    public CalendarComponent ToComponent()
    {
        var component = new CalendarComponent(Name);
        component.Properties.AddRange(Properties.Select(p => p.ToProperty()));
        component.Components.AddRange(Children.Select(c => c.ToComponent()));
        return component;
    }
}

/// <summary>BEGIN/END nesting with auto-close at EOF, stray END skipped, non-content lines skipped.</summary>
internal sealed class StructureBuilder(CalendarReaderOptions options, Diagnostics diagnostics)
{
    public List<RawComponent> Build(List<LogicalLine> lines)
    {
        var roots = new List<RawComponent>();
        var stack = new List<RawComponent>();
        var components = 0;
        foreach (var line in lines)
        {
            diagnostics.CurrentLine = line.LineNumber;
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }

            var contentLine = ContentLineParser.TryParse(line, out var error);
            if (contentLine is null)
            {
                diagnostics.Warn(line.LineNumber, error! + "; line skipped");
                continue;
            }

            if (contentLine.Name is "BEGIN" or "END")
            {
                var componentName = contentLine.Value.Trim().ToUpperInvariant();
                if (componentName.Length == 0 || !componentName.All(ContentLineParser.IsNameChar))
                {
                    diagnostics.Warn(line.LineNumber, $"{contentLine.Name} with an invalid component name '{ValueFormats.Shorten(componentName)}'; line skipped");
                    continue;
                }

                if (contentLine.Name == "BEGIN")
                {
                    if (++components > options.MaxComponents)
                    {
                        throw new CalendarParseException(line.LineNumber, $"more than {options.MaxComponents} components");
                    }

                    if (stack.Count >= options.MaxNestingDepth)
                    {
                        throw new CalendarParseException(line.LineNumber, $"components nested deeper than {options.MaxNestingDepth}");
                    }

                    stack.Add(new RawComponent(componentName, line.LineNumber));
                }
                else
                {
                    End(componentName, line.LineNumber, stack, roots);
                }

                continue;
            }

            if (stack.Count == 0)
            {
                diagnostics.Warn(line.LineNumber, $"{contentLine.Name} outside any component; line skipped");
                continue;
            }

            stack[^1].Properties.Add(contentLine);
        }

        while (stack.Count > 0)
        {
            var open = stack[^1];
            diagnostics.Warn(open.LineNumber, $"BEGIN:{open.Name} is never closed; closed at end of input");
            Pop(stack, roots);
        }

        return roots;
    }

    private void End(string name, int lineNumber, List<RawComponent> stack, List<RawComponent> roots)
    {
        var index = stack.FindLastIndex(c => c.Name == name);
        if (index < 0)
        {
            diagnostics.Warn(lineNumber, $"END:{name} without a matching BEGIN; line skipped");
            return;
        }

        while (stack.Count - 1 > index)
        {
            diagnostics.Warn(stack[^1].LineNumber, $"BEGIN:{stack[^1].Name} is not closed before END:{name} on line {lineNumber}; closed there");
            Pop(stack, roots);
        }

        Pop(stack, roots);
    }

    private static void Pop(List<RawComponent> stack, List<RawComponent> roots)
    {
        var component = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        (stack.Count > 0 ? stack[^1].Children : roots).Add(component);
    }
}
