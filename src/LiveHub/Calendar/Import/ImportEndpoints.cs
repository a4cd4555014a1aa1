using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Calendar.Import;

/// <summary>Staff import of .ics files and URLs: preview first, then confirm the same source.</summary>
public static class ImportEndpoints
{
    private static readonly string[] CalendarExtensions = [".ics", ".ical", ".icalendar", ".ifb"];

    public static void MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var import = app.MapGroup("/api/import").WithTags("Import")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        import.MapPost("/preview", (ImportRequest request, IcsImporter importer, IcsFetcher fetcher, IOptions<CalendarOptions> options, CancellationToken cancellationToken) =>
            RunAsync(request, apply: false, importer, fetcher, options.Value.Import, cancellationToken)).WithName("PreviewImport");
        import.MapPost("/confirm", (ImportRequest request, IcsImporter importer, IcsFetcher fetcher, IOptions<CalendarOptions> options, CancellationToken cancellationToken) =>
            RunAsync(request, apply: true, importer, fetcher, options.Value.Import, cancellationToken)).WithName("ConfirmImport");
    }

    private static async Task<Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>> RunAsync(
        ImportRequest request, bool apply, IcsImporter importer, IcsFetcher fetcher, CalendarImportOptions options, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var url = EventValidationClean(request.Url);
        var content = EventValidationClean(request.Content);
        if ((url is null) == (content is null))
        {
            errors.Add(url is null ? "content" : "url", "give either a URL to fetch or a file (content, base64), not both.");
            return errors.ToProblem();
        }

        Uri? uri = null;
        byte[]? bytes = null;
        var field = url is null ? "content" : "url";
        if (url is not null && fetcher.CheckUrl(url, out uri) is { } refused)
        {
            errors.Add("url", refused);
        }

        if (content is not null)
        {
            var fileName = EventValidationClean(request.FileName);
            if (fileName is not null && !CalendarExtensions.Any(x => fileName.EndsWith(x, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add("fileName", "must be an iCalendar file (.ics).");
            }

            // Base64 is 4/3 of the bytes: refuse an oversized upload before decoding it.
            if ((long)content.Length * 3 / 4 > options.MaxBytes + 3)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "The file is too large", "content", $"is larger than the limit of {options.MaxBytes} bytes.");
            }

            try
            {
                bytes = Convert.FromBase64String(content);
            }
            catch (FormatException)
            {
                errors.Add("content", "must be the file's bytes, base64-encoded.");
            }

            if (bytes is not null && bytes.Length > options.MaxBytes)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "The file is too large", "content", $"is larger than the limit of {options.MaxBytes} bytes.");
            }
        }

        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        if (uri is not null)
        {
            try
            {
                bytes = await fetcher.FetchAsync(uri, cancellationToken);
            }
            catch (IcsFetchException ex)
            {
                return Problem(ex.StatusCode, "The URL could not be imported", "url", ex.Message);
            }
        }

        var sha = IcsImporter.Sha256(bytes!);
        if (request.ExpectedSha256 is { Length: > 0 } expected && !string.Equals(expected, sha, StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status409Conflict, "The source changed since the preview", field, "has different content than the preview: preview it again before importing.");
        }

        try
        {
            var source = uri?.AbsoluteUri ?? EventValidationClean(request.FileName) ?? "uploaded file";
            return TypedResults.Ok(await importer.RunAsync(bytes!, source, request.Publish ?? false, apply, cancellationToken));
        }
        catch (ICal.CalendarParseException ex)
        {
            var where = ex.LineNumber > 0 ? $"line {ex.LineNumber}: " : "";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Not a readable iCalendar file",
                detail: ex.Message,
                extensions: new Dictionary<string, object?>
                {
                    ["line"] = ex.LineNumber,
                    ["reason"] = ex.Reason,
                    ["errors"] = new Dictionary<string, string[]> { [field] = [$"is not a readable iCalendar file ({where}{ex.Reason})."] },
                });
        }
        catch (ImportTooLargeException ex)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "Too many events", field, ex.Message);
        }
    }

    private static string? EventValidationClean(string? value) => Events.EventValidation.Clean(value);

    private static ProblemHttpResult Problem(int status, string title, string field, string reason) =>
        TypedResults.Problem(statusCode: status, title: title, detail: $"{field} {reason}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [reason] } });
}
