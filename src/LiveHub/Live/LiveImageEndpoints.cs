using LiveHub.Data;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Live;

public static class LiveImageEndpoints
{
    public static void MapLiveMedia(this IEndpointRouteBuilder app) =>
        app.MapGet("/media/{file}", ServeImage).ExcludeFromDescription();

    /// <summary>Multipart upload: <c>file</c> and <c>altText</c> (required). Answers with the image to attach to a post.</summary>
    internal static async Task<Results<Created<LiveImageResponse>, ValidationProblem, ProblemHttpResult>> UploadImage(
        Guid streamId, HttpRequest request, LiveHubDbContext db, DataDirectory data, UserManager<StaffUser> users, TimeProvider clock,
        IOptions<LiveOptions> options, UploadDeadline deadline, CancellationToken cancellationToken)
    {
        if ((await LiveStreamAccess.LoadWritableAsync(db, streamId, cancellationToken)).Problem is { } problem)
        {
            return problem;
        }

        var errors = new ValidationErrors();
        if (!request.HasFormContentType)
        {
            errors.Add("file", "send the image as multipart/form-data with the fields 'file' and 'altText'.");
            return errors.ToProblem();
        }

        if (request.ContentLength > LiveLimits.ImageBytes + 64 * 1024)
        {
            errors.Add("file", $"is larger than {LiveLimits.ImageBytes / (1024 * 1024)} MB.");
            return errors.ToProblem();
        }

        // At most the limit is read (a chunked upload has no Content-Length to check up front); the form
        // reader stops there instead of buffering an endless body.
        var bodyLimit = LiveLimits.ImageBytes + (64 * 1024);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = bodyLimit;
        }

        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions { MultipartBodyLengthLimit = bodyLimit, ValueCountLimit = 16 }));
        IFormCollection form;
        try
        {
            var reading = request.ReadFormAsync(cancellationToken);
            if (!reading.IsCompleted && await deadline.OutlastsAsync(reading))
            {
                // LiveHub is stopping and the body is still arriving: nothing was stored; the client sends it again to
                // the instance that takes over. The pending read is ended with CancelPendingRead rather than a cancelled
                // token: with the token, Kestrel ended the request as aborted (499) and the answer never reached the client.
                request.HttpContext.Request.BodyReader.CancelPendingRead();
                try
                {
                    await reading;
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidDataException)
                {
                }

                request.HttpContext.Response.Headers.RetryAfter = "10";
                request.HttpContext.Response.Headers.Connection = "close";
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "LiveHub is restarting",
                    detail: "The upload was still arriving when LiveHub was asked to stop. Nothing was stored; send it again in a few seconds.");
            }

            form = await reading;
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large",
                detail: $"file is larger than {LiveLimits.ImageBytes / (1024 * 1024)} MB.",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["file"] = [$"is larger than {LiveLimits.ImageBytes / (1024 * 1024)} MB."] } });
        }
        catch (InvalidDataException)
        {
            errors.Add("file", "the multipart form could not be read; send the fields 'file' and 'altText' as multipart/form-data.");
            return errors.ToProblem();
        }

        var file = form.Files.GetFile("file");
        var altText = Events.EventValidation.CleanMultiline(form["altText"].ToString());
        if (errors.Required("altText", altText))
        {
            errors.MaxLength("altText", altText, LiveLimits.AltText);
        }

        byte[]? bytes = null;
        if (file is null || file.Length == 0)
        {
            errors.Add("file", "is required.");
        }
        else if (file.Length > LiveLimits.ImageBytes)
        {
            errors.Add("file", $"is larger than {LiveLimits.ImageBytes / (1024 * 1024)} MB.");
        }
        else
        {
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }

        InspectedImage? image = null;
        if (bytes is not null && !LiveImages.TryInspect(bytes, options.Value.Images, out image, out var reason))
        {
            errors.Add("file", reason!);
        }

        if (errors.HasErrors || image is null)
        {
            return errors.ToProblem();
        }

        var entity = new LiveImage
        {
            StreamId = streamId,
            ContentType = image.ContentType,
            FileName = $"{Guid.CreateVersion7():N}{image.Extension}",
            Length = image.Bytes.Length,
            Width = image.Width,
            Height = image.Height,
            AltText = altText!,
            UploadedById = users.GetUserId(request.HttpContext.User),
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        var folder = MediaFolder(data);
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, entity.FileName), image.Bytes, cancellationToken);
        db.LiveImages.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        var response = new LiveImageResponse(entity.Id, LiveImages.Url(entity), entity.AltText, entity.Width, entity.Height);
        return TypedResults.Created(response.Url, response);
    }

    /// <summary>
    /// An image is public only while a visible post uses it: the post is not deleted and its stream can be read
    /// (published event, existing session). Editors may also see their uploads before they are attached (the
    /// console previews them) and images of a draft event's posts. A deleted post's images are served to no one.
    /// </summary>
    private static async Task<IResult> ServeImage(string file, HttpContext http, LiveHubDbContext db, DataDirectory data, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(Path.GetFileNameWithoutExtension(file), "N", out var id))
        {
            return TypedResults.NotFound();
        }

        var image = await db.LiveImages.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (image is null)
        {
            return TypedResults.NotFound();
        }

        var (allowed, publicly) = await MayServeAsync(db, image, LiveEndpoints.IsStaff(http), cancellationToken);
        if (!allowed)
        {
            return TypedResults.NotFound();
        }

        var path = Path.Combine(MediaFolder(data), image.FileName);
        if (!File.Exists(path))
        {
            return TypedResults.NotFound();
        }

        // Uploads are checked and stripped, not re-encoded: should one still carry markup, it is only ever an image
        // (nosniff from the security headers), inert even when opened directly (sandbox, nothing may load).
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; img-src 'self'; sandbox";
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{image.Id:N}{Path.GetExtension(image.FileName)}\"";
        // Revalidated on every use, so an image stops being shown as soon as its post is deleted or hidden; a staff-only
        // preview is never stored by a shared cache.
        http.Response.Headers.CacheControl = publicly ? "no-cache" : "private, no-store";
        return TypedResults.PhysicalFile(path, image.ContentType, enableRangeProcessing: false,
            lastModified: new DateTimeOffset(image.CreatedAtUtc, TimeSpan.Zero));
    }

    private static async Task<(bool Allowed, bool Publicly)> MayServeAsync(LiveHubDbContext db, LiveImage image, bool staff, CancellationToken cancellationToken)
    {
        if (image.PostId is { } postId && !await db.LivePosts.AnyAsync(p => p.Id == postId && p.StreamId == image.StreamId && p.DeletedAtUtc == null, cancellationToken))
        {
            return (false, false);
        }

        if (image.PostId is not null && await LiveStreamAccess.IsPublicAsync(db, image.StreamId, cancellationToken))
        {
            return (true, true);
        }

        var staffMaySee = staff && await db.LiveStreams.Where(s => s.Id == image.StreamId).Visible(db, includeDrafts: true).AnyAsync(cancellationToken);
        return (staffMaySee, false);
    }

    internal static string MediaFolder(DataDirectory data) => Path.Combine(data.Path, "media");
}
