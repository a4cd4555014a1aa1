using LiveHub.Data;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

public static class LiveImageEndpoints
{
    public static void MapLiveMedia(this IEndpointRouteBuilder app) =>
        app.MapGet("/media/{file}", ServeImage).ExcludeFromDescription();

    /// <summary>Multipart upload: <c>file</c> and <c>altText</c> (required). Answers with the image to attach to a post.</summary>
    internal static async Task<Results<Created<LiveImageResponse>, ValidationProblem, ProblemHttpResult>> UploadImage(
        Guid streamId, HttpRequest request, LiveHubDbContext db, DataDirectory data, UserManager<StaffUser> users, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.LiveStreams.AnyAsync(s => s.Id == streamId, cancellationToken))
        {
            return LiveEndpoints.StreamNotFound(streamId);
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

        var form = await request.ReadFormAsync(cancellationToken);
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
        if (bytes is not null && !LiveImages.TryInspect(bytes, out image, out var reason))
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

    private static async Task<IResult> ServeImage(string file, LiveHubDbContext db, DataDirectory data, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(Path.GetFileNameWithoutExtension(file), "N", out var id))
        {
            return TypedResults.NotFound();
        }

        var image = await db.LiveImages.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        var path = image is null ? null : Path.Combine(MediaFolder(data), image.FileName);
        if (image is null || !File.Exists(path))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.PhysicalFile(path, image.ContentType, enableRangeProcessing: false,
            lastModified: new DateTimeOffset(image.CreatedAtUtc, TimeSpan.Zero));
    }

    internal static string MediaFolder(DataDirectory data) => Path.Combine(data.Path, "media");
}
