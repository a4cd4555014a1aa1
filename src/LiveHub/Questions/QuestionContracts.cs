namespace LiveHub.Questions;

/// <summary>A question typed on the live page. <see cref="Website"/> is a honeypot: people never see the field, bots fill it in.</summary>
public sealed record AskQuestionRequest(string? Text, string? Website);

public sealed record AskQuestionResponse(string Status, string Message);

/// <summary>A link in a question's text: <see cref="Start"/>/<see cref="Length"/> in UTF-16 code units; always http or https.</summary>
public sealed record QuestionLink(int Start, int Length, string Uri);

/// <summary>An approved question as the public sees it: the asker's Bluesky handle (linked), or null for "an attendee".</summary>
public sealed record PublicQuestion(
    Guid Id,
    string Text,
    IReadOnlyList<QuestionLink> Links,
    string? AskerHandle,
    string? AskerUrl,
    string? PostUrl,
    DateTimeOffset AskedAt,
    bool Answered,
    int AlsoAsked);

/// <summary>
/// The approved questions of a stream, newest first; every change sends the whole list again. <see cref="Revision"/>
/// grows with every change to the stream's questions, so a client keeps the list with the highest one.
/// </summary>
public sealed record PublicQuestionList(Guid StreamId, long Revision, bool Open, IReadOnlyList<PublicQuestion> Questions);

public sealed record StaffQuestion(
    Guid Id,
    Guid StreamId,
    string StreamTitle,
    string EventTitle,
    string EventSlug,
    string LivePageUrl,
    QuestionSource Source,
    QuestionStatus Status,
    string Text,
    IReadOnlyList<QuestionLink> Links,
    string? AuthorHandle,
    string? AuthorDid,
    string? PostUrl,
    int ImageCount,
    DateTimeOffset AskedAt,
    DateTimeOffset? AnsweredAt,
    Guid? MergedIntoId,
    int AlsoAsked);

public sealed record AnsweredRequest(bool? Answered);

public sealed record MergeRequest(Guid? Into);
