using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR;

namespace LiveHub.Problems;

public static class ProblemsFeature
{
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier));
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        // Binding failures throw so that BadRequestExceptionHandler can name the field at fault.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        });
        return services;
    }
}

/// <summary>
/// Turns malformed requests (bad JSON, wrong types, unbindable route or query values) into
/// 400 problem details that name the field, instead of a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // Reading a JSON body declared in an unknown charset ("application/json; charset=nonsense") throws
        // InvalidOperationException, not BadHttpRequestException: it is still the client's mistake.
        if (exception is InvalidOperationException && UnknownCharset(httpContext.Request) is { } charset)
        {
            httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    ["Content-Type"] = [$"charset '{charset}' is not a known encoding; send JSON as UTF-8."],
                })
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Title = "The request body's charset is not supported.",
                },
            });
        }

        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var (field, reason) = Describe(badRequest);
        httpContext.Response.StatusCode = badRequest.StatusCode;
        var details = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [reason] })
        {
            Status = badRequest.StatusCode,
            Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request could not be read.",
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    private static string? UnknownCharset(HttpRequest request)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.Charset.HasValue)
        {
            return null;
        }

        var charset = mediaType.Charset.Value!.Trim('"');
        try
        {
            _ = System.Text.Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }

    private static (string Field, string Reason) Describe(BadHttpRequestException exception)
    {
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
                var reason = json.InnerException is not null && json.InnerException is not JsonException
                    ? $"is not valid: {json.InnerException.Message}"
                    : "is not valid JSON for this field" + (json.LineNumber is { } line ? $" (line {line + 1}, position {json.BytePositionInLine})." : ".");
                return (path, reason);
            }
        }

        // Route and query binding failures: "Failed to bind parameter "Guid id" from "abc"."
        var message = exception.Message;
        var start = message.IndexOf('"', StringComparison.Ordinal);
        var end = start >= 0 ? message.IndexOf('"', start + 1) : -1;
        if (start >= 0 && end > start)
        {
            var parameter = message[(start + 1)..end];
            var name = parameter.Contains(' ', StringComparison.Ordinal) ? parameter[(parameter.LastIndexOf(' ') + 1)..] : parameter;
            if (message.Contains("request body", StringComparison.OrdinalIgnoreCase))
            {
                return ("$", "The request body is missing or is not valid JSON.");
            }

            return (name, message);
        }

        return ("$", message);
    }
}

/// <summary>
/// A database that cannot be reached (outage, restart, failover) is a 503 with Retry-After, not a 500:
/// the request can be repeated once the database is back, and nothing was half-written.
/// </summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, Data.DatabaseOutage outage, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception))
        {
            return false;
        }

        Report(outage, logger, $"{httpContext.Request.Method} {Agenda.AgendaTokens.RedactPath(httpContext.Request.Path)}", exception);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = Title,
                Detail = Detail,
            },
        });
    }

    /// <summary>An outage is logged once by <see cref="Data.DatabaseOutage"/>; SQLite's busy timeouts, one warning each.</summary>
    internal static void Report(Data.DatabaseOutage outage, ILogger logger, string what, Exception exception)
    {
        if (Data.DatabaseOutage.IsOutage(exception))
        {
            outage.Failed(what, exception);
        }
        else
        {
            logger.LogWarning("Database busy for {What}: {Reason}", what, exception.Message);
        }
    }

    public const string Title = "The database is unavailable";
    public const string Detail = "LiveHub cannot reach its database right now. Nothing was changed; try again in a few seconds.";

    internal static bool IsUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.NpgsqlException npgsql when npgsql.IsTransient || npgsql is not Npgsql.PostgresException || IsConnectionState((Npgsql.PostgresException)npgsql):
                case Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 }: // SQLITE_BUSY, SQLITE_LOCKED
                case TimeoutException:
                    return true;
            }
        }

        return false;
    }

    // Class 08 (connection exception), 57P01-03 (admin shutdown, crash shutdown, cannot connect now), 3D000
    // (database gone), and any FATAL error, which ends the session (such as "not accepting connections").
    private static bool IsConnectionState(Npgsql.PostgresException e) =>
        e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState is "57P01" or "57P02" or "57P03" or "3D000"
        || e.Severity is "FATAL" or "PANIC";
}

/// <summary>
/// The hub's counterpart of <see cref="DatabaseUnavailableHandler"/>: a hub method that cannot reach the database fails
/// with a message the client can act on (try again shortly) instead of SignalR's generic "unexpected error"; the
/// connection stays open either way.
/// </summary>
internal sealed class DatabaseUnavailableHubFilter(Data.DatabaseOutage outage, ILogger<DatabaseUnavailableHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception ex) when (DatabaseUnavailableHandler.IsUnavailable(ex))
        {
            DatabaseUnavailableHandler.Report(outage, logger, $"hub method {invocationContext.HubMethodName}", ex);
            throw new HubException($"{DatabaseUnavailableHandler.Title}: try again in a few seconds.");
        }
    }
}
