namespace LiveHub.ICalendar;

/// <summary>Base type of every exception this library throws on purpose.</summary>
public class CalendarException : Exception
{
    public CalendarException()
    {
    }

    public CalendarException(string message)
        : base(message)
    {
    }

    public CalendarException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Malformed or over-limit input. <see cref="LineNumber"/> is the 1-based physical line (0: the input as a whole).</summary>
public sealed class CalendarParseException : CalendarException
{
    public CalendarParseException(int lineNumber, string reason)
        : base(lineNumber > 0 ? $"Line {lineNumber}: {reason}" : reason)
    {
        LineNumber = lineNumber;
        Reason = reason;
    }

    public CalendarParseException(int lineNumber, string reason, Exception innerException)
        : base(lineNumber > 0 ? $"Line {lineNumber}: {reason}" : reason, innerException)
    {
        LineNumber = lineNumber;
        Reason = reason;
    }

    public int LineNumber { get; }

    public string Reason { get; }
}

/// <summary>Something the lenient reader tolerated; in strict mode it would have been a <see cref="CalendarParseException"/>.</summary>
public sealed record CalendarWarning(int LineNumber, string Message)
{
    public override string ToString() => LineNumber > 0 ? $"Line {LineNumber}: {Message}" : Message;
}
