using System.Security.Claims;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Questions;

public static class QuestionEndpoints
{
    public static void MapQuestionEndpoints(this IEndpointRouteBuilder app)
    {
        var pub = app.MapGroup("/api/streams/{streamId:guid}/questions").WithTags("Audience questions");
        pub.MapGet("/", GetApproved);
        pub.MapPost("/", Ask).RequireRateLimiting(QuestionsFeature.AskRateLimit);

        var staff = app.MapGroup("/api/questions").WithTags("Audience questions")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        staff.MapGet("/", List);
        staff.MapPost("/{id:guid}/approve", (Guid id, HttpContext http, LiveHubDbContext db, QuestionQueries queries, ILiveChangeBus bus, TimeProvider clock, CancellationToken ct) =>
            ModerateAsync(id, http, db, queries, bus, clock, (q, now) => Approve(q), ct));
        staff.MapPost("/{id:guid}/reject", (Guid id, HttpContext http, LiveHubDbContext db, QuestionQueries queries, ILiveChangeBus bus, TimeProvider clock, CancellationToken ct) =>
            ModerateAsync(id, http, db, queries, bus, clock, (q, now) => Reject(q), ct));
        staff.MapPost("/{id:guid}/answered", Answered);
        staff.MapPost("/{id:guid}/merge", Merge);
    }

    private static async Task<Results<Ok<PublicQuestionList>, ProblemHttpResult>> GetApproved(Guid streamId, QuestionQueries queries, CancellationToken cancellationToken) =>
        await queries.PublicListAsync(streamId, cancellationToken) is { } list ? TypedResults.Ok(list) : LiveEndpoints.StreamNotFound(streamId);

    private static async Task<Results<Accepted<AskQuestionResponse>, ValidationProblem, ProblemHttpResult>> Ask(
        Guid streamId, AskQuestionRequest? request, LiveHubDbContext db, IOptions<QuestionsOptions> options, TimeProvider clock,
        ILogger<QuestionsOptions> logger, CancellationToken cancellationToken)
    {
        const string ThankYou = "Thank you: your question will appear once a moderator has approved it.";
        var stream = await db.LiveStreams.AsNoTracking().Where(s => s.Id == streamId).Visible(db).Select(s => new { s.State }).FirstOrDefaultAsync(cancellationToken);
        if (stream is null)
        {
            return LiveEndpoints.StreamNotFound(streamId);
        }

        if (!options.Value.Enabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Audience questions are switched off",
                detail: "This hub does not take audience questions.");
        }

        if (stream.State != CoverageState.Live)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Questions are closed",
                detail: "Questions can be sent only while the coverage is live.");
        }

        var errors = new ValidationErrors();
        var text = QuestionText.ValidateWebText(request?.Text, errors);
        if (!string.IsNullOrEmpty(request?.Website))
        {
            // A bot filled in the hidden field: it is told what a person would be told, and nothing is kept.
            logger.LogInformation("Dropped a question to stream {Stream}: the honeypot field was filled in.", streamId);
            return TypedResults.Accepted((string?)null, new AskQuestionResponse("pending", ThankYou));
        }

        if (errors.HasErrors || text is null)
        {
            return errors.ToProblem();
        }

        var pending = await db.Set<Question>().CountAsync(q => q.StreamId == streamId && q.Status == QuestionStatus.Pending, cancellationToken);
        if (pending >= options.Value.MaxPendingPerStream)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many questions waiting",
                detail: "The moderators have many questions waiting; please try again in a few minutes.");
        }

        // The same question again (a double click, a resend) is not queued twice.
        var fingerprint = QuestionText.Fingerprint(text);
        var recent = await db.Set<Question>().AsNoTracking()
            .Where(q => q.StreamId == streamId && q.Source == QuestionSource.Web && q.Status != QuestionStatus.Rejected)
            .OrderByDescending(q => q.AskedAtUtc).Take(200).Select(q => q.Text).ToListAsync(cancellationToken);
        if (recent.Any(t => QuestionText.Fingerprint(t) == fingerprint))
        {
            return TypedResults.Accepted((string?)null, new AskQuestionResponse("pending", ThankYou));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        db.Add(new Question
        {
            StreamId = streamId,
            Source = QuestionSource.Web,
            Status = QuestionStatus.Pending,
            Text = text,
            AskedAtUtc = now,
            UpdatedAtUtc = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, new AskQuestionResponse("pending", ThankYou));
    }

    private static async Task<Results<Ok<List<StaffQuestion>>, ValidationProblem>> List(string? status, Guid? streamId, QuestionQueries queries, CancellationToken cancellationToken)
    {
        QuestionStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<QuestionStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            {
                var errors = new ValidationErrors();
                errors.Add("status", "must be one of pending, approved, rejected, merged.");
                return errors.ToProblem();
            }

            wanted = parsed;
        }

        return TypedResults.Ok(await queries.StaffListAsync(wanted, streamId, cancellationToken));
    }

    private static string? Approve(Question q)
    {
        q.Status = QuestionStatus.Approved;
        q.MergedIntoId = null;
        return null;
    }

    private static string? Reject(Question q)
    {
        q.Status = QuestionStatus.Rejected;
        q.MergedIntoId = null;
        return null;
    }

    private static Task<Results<Ok<StaffQuestion>, ProblemHttpResult>> Answered(Guid id, AnsweredRequest? request, HttpContext http, LiveHubDbContext db,
        QuestionQueries queries, ILiveChangeBus bus, TimeProvider clock, CancellationToken cancellationToken) =>
        ModerateAsync(id, http, db, queries, bus, clock, (q, now) =>
        {
            if (q.Status != QuestionStatus.Approved)
            {
                return "Only an approved question can be marked answered.";
            }

            q.AnsweredAtUtc = request?.Answered is false ? null : q.AnsweredAtUtc ?? now;
            return null;
        }, cancellationToken);

    private static async Task<Results<Ok<StaffQuestion>, ValidationProblem, ProblemHttpResult>> Merge(Guid id, MergeRequest? request, HttpContext http, LiveHubDbContext db,
        QuestionQueries queries, ILiveChangeBus bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request?.Into is not { } intoId)
        {
            var errors = new ValidationErrors();
            errors.Add("into", "is required: the id of the question this one repeats.");
            return errors.ToProblem();
        }

        var target = await db.Set<Question>().FirstOrDefaultAsync(q => q.Id == intoId, cancellationToken);
        var result = await ModerateAsync(id, http, db, queries, bus, clock, (q, now) =>
        {
            if (target is null || target.StreamId != q.StreamId)
            {
                return "into: must be another question of the same live stream.";
            }

            if (target.Id == q.Id || target.Status is QuestionStatus.Merged or QuestionStatus.Rejected)
            {
                return "into: must be another question that is pending or approved, not merged or rejected.";
            }

            q.Status = QuestionStatus.Merged;
            q.MergedIntoId = target.Id;
            target.UpdatedAtUtc = now;
            return null;
        }, cancellationToken, after: async q =>
        {
            // Whatever was merged into this question now counts for the one it repeats.
            await db.Set<Question>().Where(x => x.MergedIntoId == q.Id && x.Id != q.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.MergedIntoId, q.MergedIntoId), cancellationToken);
        });
        return result.Result switch
        {
            Ok<StaffQuestion> ok => ok,
            ProblemHttpResult problem => problem,
            _ => throw new InvalidOperationException("Unexpected moderation result."),
        };
    }

    /// <summary>Loads the question, applies <paramref name="change"/> (a reason when it cannot be made), saves and tells the live pages.</summary>
    private static async Task<Results<Ok<StaffQuestion>, ProblemHttpResult>> ModerateAsync(Guid id, HttpContext http, LiveHubDbContext db,
        QuestionQueries queries, ILiveChangeBus bus, TimeProvider clock, Func<Question, DateTime, string?> change, CancellationToken cancellationToken,
        Func<Question, Task>? after = null)
    {
        var question = await db.Set<Question>().FirstOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (question is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Question not found", detail: $"There is no question {id}.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (change(question, now) is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The question cannot be changed so", detail: refusal);
        }

        question.ModeratedAtUtc = now;
        question.ModeratedById = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        question.UpdatedAtUtc = now;
        await db.SaveChangesAsync(cancellationToken);
        if (after is not null)
        {
            await after(question);
        }

        await bus.QuestionsChangedAsync(db, question.StreamId, cancellationToken);
        return TypedResults.Ok(await queries.ToStaffAsync(question, cancellationToken));
    }
}
