using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Questions;

/// <summary>Reads of questions for the public (approved only) and for moderators (everything).</summary>
public sealed class QuestionQueries(LiveHubDbContext db, IOptions<QuestionsOptions> options)
{
    public const int MaxPublic = 200;
    public const int MaxStaff = 500;

    /// <summary>The approved questions of a public stream, newest first; null when the stream is not public.</summary>
    public async Task<PublicQuestionList?> PublicListAsync(Guid streamId, CancellationToken cancellationToken)
    {
        var stream = await db.LiveStreams.AsNoTracking().Where(s => s.Id == streamId).Visible(db)
            .Select(s => new { s.State }).FirstOrDefaultAsync(cancellationToken);
        if (stream is null)
        {
            return null;
        }

        if (!options.Value.Enabled)
        {
            return new PublicQuestionList(streamId, 0, Open: false, []);
        }

        var revision = await db.Set<Question>().Where(q => q.StreamId == streamId).MaxAsync(q => (DateTime?)q.UpdatedAtUtc, cancellationToken);
        var rows = await db.Set<Question>().AsNoTracking()
            .Where(q => q.StreamId == streamId && q.Status == QuestionStatus.Approved)
            .OrderByDescending(q => q.AskedAtUtc).ThenByDescending(q => q.Id).Take(MaxPublic).ToListAsync(cancellationToken);
        var alsoAsked = await AlsoAskedAsync([.. rows.Select(r => r.Id)], cancellationToken);
        return new PublicQuestionList(streamId, revision?.Ticks ?? 0, Open: stream.State == CoverageState.Live,
            [.. rows.Select(q => ToPublic(q, alsoAsked.GetValueOrDefault(q.Id)))]);
    }

    public async Task<List<StaffQuestion>> StaffListAsync(QuestionStatus? status, Guid? streamId, CancellationToken cancellationToken)
    {
        var query = db.Set<Question>().AsNoTracking();
        if (status is { } wanted)
        {
            query = query.Where(q => q.Status == wanted);
        }

        if (streamId is { } id)
        {
            query = query.Where(q => q.StreamId == id);
        }

        var rows = await query.OrderByDescending(q => q.AskedAtUtc).ThenByDescending(q => q.Id).Take(MaxStaff).ToListAsync(cancellationToken);
        return await ToStaffAsync(rows, cancellationToken);
    }

    public async Task<StaffQuestion> ToStaffAsync(Question question, CancellationToken cancellationToken) =>
        (await ToStaffAsync([question], cancellationToken))[0];

    private async Task<List<StaffQuestion>> ToStaffAsync(List<Question> rows, CancellationToken cancellationToken)
    {
        var streamIds = rows.Select(r => r.StreamId).Distinct().ToList();
        var streams = await db.LiveStreams.AsNoTracking().Include(s => s.Event).Include(s => s.Session)
            .Where(s => streamIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var alsoAsked = await AlsoAskedAsync([.. rows.Select(r => r.Id)], cancellationToken);
        return [.. rows.Select(q =>
        {
            var stream = streams.GetValueOrDefault(q.StreamId);
            return new StaffQuestion(q.Id, q.StreamId,
                stream is null ? "" : LiveQueries.StreamTitle(stream),
                stream?.Event?.Title ?? "",
                stream?.Event?.Slug ?? "",
                stream?.Event is null ? "" : LiveQueries.PageUrl(stream),
                q.Source, q.Status, q.Text, QuestionText.ReadLinks(q.LinksJson, q.Text), q.AuthorHandle, q.AuthorDid,
                QuestionText.PostUrl(q.BlueskyUri), q.ImageCount, Utc(q.AskedAtUtc), q.AnsweredAtUtc is { } a ? Utc(a) : null,
                q.MergedIntoId, alsoAsked.GetValueOrDefault(q.Id));
        })];
    }

    private async Task<Dictionary<Guid, int>> AlsoAskedAsync(List<Guid> ids, CancellationToken cancellationToken) =>
        ids.Count == 0
            ? []
            : await db.Set<Question>().Where(q => q.MergedIntoId != null && ids.Contains(q.MergedIntoId.Value) && q.Status == QuestionStatus.Merged)
                .GroupBy(q => q.MergedIntoId!.Value).Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);

    public static PublicQuestion ToPublic(Question q, int alsoAsked) => new(
        q.Id,
        q.Text,
        QuestionText.ReadLinks(q.LinksJson, q.Text),
        q.Source == QuestionSource.Bluesky && QuestionText.IsHandle(q.AuthorHandle) ? q.AuthorHandle : null,
        q.Source == QuestionSource.Bluesky ? QuestionText.ProfileUrl(q.AuthorHandle) : null,
        q.Source == QuestionSource.Bluesky ? QuestionText.PostUrl(q.BlueskyUri) : null,
        Utc(q.AskedAtUtc),
        q.AnsweredAtUtc is not null,
        alsoAsked);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
