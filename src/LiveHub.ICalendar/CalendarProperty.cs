namespace LiveHub.ICalendar;

/// <summary>A property parameter; multi-valued parameters (FEATURE=AUDIO,VIDEO) keep each value separately.</summary>
public sealed class CalendarParameter
{
    public CalendarParameter(string name, params IEnumerable<string> values)
    {
        Name = Names.Validate(name);
        Values = [.. values];
    }

    public string Name { get; }

    public List<string> Values { get; }

    public string? Value => Values.Count > 0 ? Values[0] : null;

    public override string ToString() => $"{Name}={string.Join(',', Values)}";
}

/// <summary>
/// A content line kept as written (value not unescaped): used for X- and unknown properties so they round-trip.
/// </summary>
public sealed class CalendarProperty
{
    public CalendarProperty(string name, string value, params IEnumerable<CalendarParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(value);
        Name = Names.Validate(name);
        Value = value;
        Parameters = [.. parameters];
    }

    public string Name { get; }

    /// <summary>The raw value exactly as it appears after the colon (TEXT escapes included).</summary>
    public string Value { get; set; }

    public List<CalendarParameter> Parameters { get; }

    /// <summary>First value of the named parameter, or null.</summary>
    public string? GetParameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>Creates a property whose value is TEXT: the given text is escaped on the way in.</summary>
    public static CalendarProperty FromText(string name, string text, params IEnumerable<CalendarParameter> parameters) =>
        new(name, Serialization.TextEscaping.EscapeText(text), parameters);

    /// <summary>The value read as TEXT (unescaped).</summary>
    public string TextValue => Serialization.TextEscaping.UnescapeText(Value);

    public override string ToString() => Parameters.Count == 0
        ? $"{Name}:{Value}"
        : $"{Name};{string.Join(';', Parameters)}:{Value}";
}

/// <summary>A component LiveHub does not model (VTODO, VALARM, X-…); kept so it is not silently dropped.</summary>
public sealed class CalendarComponent
{
    public CalendarComponent(string name)
    {
        Name = Names.Validate(name);
    }

    public string Name { get; }

    public List<CalendarProperty> Properties { get; } = [];

    public List<CalendarComponent> Components { get; } = [];
}

internal static class Names
{
    /// <summary>iCalendar names are letters, digits and '-' (also '_', as Ical.Net allows); stored upper-case.</summary>
    public static string Validate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(Serialization.ContentLineParser.IsNameChar))
        {
            throw new ArgumentException($"'{name}' is not a valid iCalendar name.", nameof(name));
        }

        return name.ToUpperInvariant();
    }
}
