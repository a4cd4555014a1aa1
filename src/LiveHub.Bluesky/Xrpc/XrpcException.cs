using System.Net;
using System.Text.Json;

namespace LiveHub.Bluesky;

/// <summary>
/// A failed XRPC call. <see cref="StatusCode"/> is 0 when no HTTP response was received (network error, timeout).
/// </summary>
public class XrpcException : Exception
{
    public XrpcException(string message) : base(message) { }

    public XrpcException(string message, Exception innerException) : base(message, innerException) { }

    public XrpcException(
        string nsid,
        int statusCode,
        string? error,
        string? errorMessage,
        bool isRetryable,
        bool isAmbiguous,
        RateLimitInfo? rateLimit = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(Describe(nsid, statusCode, error, errorMessage), innerException)
    {
        Nsid = nsid;
        StatusCode = statusCode;
        Error = error;
        ErrorMessage = errorMessage;
        IsRetryable = isRetryable;
        IsAmbiguous = isAmbiguous;
        RateLimit = rateLimit;
        RetryAfter = retryAfter;
    }

    /// <summary>The XRPC method (NSID) that failed.</summary>
    public string Nsid { get; } = "";

    public int StatusCode { get; }

    /// <summary>The XRPC error name, e.g. <c>ExpiredToken</c>; null for non-JSON bodies.</summary>
    public string? Error { get; }

    public string? ErrorMessage { get; }

    /// <summary>Trying the same request again later may succeed (with backoff, honouring <see cref="RetryAfter"/>).</summary>
    public bool IsRetryable { get; }

    /// <summary>
    /// The request was a write whose outcome is unknown (timeout, dropped connection, 5xx, unreadable response):
    /// it may have been applied. Check with getRecord before assuming it was not.
    /// </summary>
    public bool IsAmbiguous { get; }

    public RateLimitInfo? RateLimit { get; }

    /// <summary>Minimum wait before retrying, when the server said so (Retry-After or RateLimit-Reset).</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsTimeout => Error == XrpcErrors.Timeout;

    public bool IsNetworkError => StatusCode == 0;

    /// <summary>The account itself is unusable (wrong password, takedown, deactivation): a human has to act.</summary>
    public bool RequiresAttention => Error is XrpcErrors.AuthenticationRequired or XrpcErrors.AccountTakedown
        or XrpcErrors.AccountDeactivated or XrpcErrors.AuthFactorTokenRequired or XrpcErrors.AuthMissing;

    internal bool IsExpiredAuthentication =>
        (StatusCode == 400 && Error is XrpcErrors.ExpiredToken or XrpcErrors.InvalidToken)
        || (StatusCode == 401 && Error is not (XrpcErrors.AccountTakedown or XrpcErrors.AccountDeactivated));

    internal static XrpcException FromResponse(string nsid, bool isWrite, HttpStatusCode status, ReadOnlySpan<byte> body,
        RateLimitInfo? rateLimit, DateTimeOffset now)
    {
        var (error, message) = TryReadErrorBody(body);
        var code = (int)status;
        var retryable = IsRetryableStatus(code, error);
        var ambiguous = isWrite && code >= 500 && code != 501;
        TimeSpan? retryAfter = code == 429 || rateLimit?.RetryAfter is not null ? rateLimit?.SuggestedDelay(now) : null;
        return new XrpcException(nsid, code, error, message, retryable, ambiguous, rateLimit, retryAfter);
    }

    internal static XrpcException Network(string nsid, bool isWrite, string error, string message, Exception inner) =>
        new(nsid, 0, error, message, isRetryable: true, isAmbiguous: isWrite, innerException: inner);

    /// <summary>Retry classification per the XRPC error table: rate limits, 5xx (except 501) and token expiry are transient.</summary>
    public static bool IsRetryableStatus(int statusCode, string? error) => statusCode switch
    {
        408 or 429 => true,
        501 => false,
        >= 500 => true,
        400 => error is XrpcErrors.ExpiredToken or XrpcErrors.InvalidToken,
        _ => false,
    };

    private static (string? Error, string? Message) TryReadErrorBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            return (ReadString(document.RootElement, "error"), ReadString(document.RootElement, "message"));
        }
        catch (JsonException)
        {
            // Load balancers answer with HTML; the status code alone has to do.
            return (null, null);
        }
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Describe(string nsid, int status, string? error, string? message)
    {
        var what = status == 0 ? "no response" : $"HTTP {status}";
        var name = error is null ? "" : $" {error}";
        var detail = string.IsNullOrEmpty(message) ? "" : $": {message}";
        return $"{nsid} failed ({what}){name}{detail}";
    }
}

/// <summary>XRPC error names used by the client, plus the client's own ones for failures without a response.</summary>
public static class XrpcErrors
{
    public const string InvalidRequest = "InvalidRequest";
    public const string ExpiredToken = "ExpiredToken";
    public const string InvalidToken = "InvalidToken";
    public const string AuthMissing = "AuthMissing";
    public const string AuthenticationRequired = "AuthenticationRequired";
    public const string AuthFactorTokenRequired = "AuthFactorTokenRequired";
    public const string AccountTakedown = "AccountTakedown";
    public const string AccountDeactivated = "AccountDeactivated";
    public const string InvalidSwap = "InvalidSwap";
    public const string RecordNotFound = "RecordNotFound";

    /// <summary>app.bsky.feed.getPostThread: the post asked for is not there (400).</summary>
    public const string NotFound = "NotFound";
    public const string BlobNotFound = "BlobNotFound";
    public const string HandleNotFound = "HandleNotFound";
    public const string PayloadTooLarge = "PayloadTooLarge";
    public const string RateLimitExceeded = "RateLimitExceeded";
    public const string InternalServerError = "InternalServerError";

    /// <summary>Client-side: no response within the configured timeout.</summary>
    public const string Timeout = "Timeout";

    /// <summary>Client-side: connection failed, was reset, or the response ended early.</summary>
    public const string NetworkError = "NetworkError";

    /// <summary>Client-side: a 2xx response whose body could not be read as the expected JSON.</summary>
    public const string InvalidResponse = "InvalidResponse";

    /// <summary>Client-side: the login guard refused to call createSession again so soon.</summary>
    public const string LoginThrottled = "LoginThrottled";
}
