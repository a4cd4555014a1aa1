using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using LiveHub.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LiveHub.Agenda;

/// <summary>
/// An attendee's own pick of sessions, without an account. Whoever holds its token may read and change it; only a
/// hash of the token is stored, so the database (or a backup) never gives one away.
/// </summary>
public sealed class PersonalAgenda
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>SHA-256 of the token, lower-case hex.</summary>
    public required string TokenHash { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    /// <summary>Changes when a session is added or removed, so feed validators change with the list.</summary>
    public DateTime UpdatedAtUtc { get; set; }
    public List<AgendaSession> Sessions { get; set; } = [];
}

public sealed class AgendaSession
{
    public Guid AgendaId { get; set; }
    public Guid SessionId { get; set; }
    public Session? Session { get; set; }
    public DateTime AddedAtUtc { get; set; }
}

internal sealed class PersonalAgendaConfiguration : IEntityTypeConfiguration<PersonalAgenda>
{
    public void Configure(EntityTypeBuilder<PersonalAgenda> b)
    {
        b.ToTable("agendas");
        b.HasIndex(x => x.TokenHash).IsUnique();
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.HasMany(x => x.Sessions).WithOne().HasForeignKey(x => x.AgendaId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AgendaSessionConfiguration : IEntityTypeConfiguration<AgendaSession>
{
    public void Configure(EntityTypeBuilder<AgendaSession> b)
    {
        b.ToTable("agenda_sessions");
        b.HasKey(x => new { x.AgendaId, x.SessionId });
        b.HasIndex(x => x.SessionId);
        // A session removed for good (not the soft delete staff do) leaves every agenda it was in.
        b.HasOne(x => x.Session).WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Agenda tokens: 256 random bits, base64url (43 characters); stored and looked up only as a hash.</summary>
public static class AgendaTokens
{
    public const int Length = 43;

    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A request path fit for logs: an agenda feed's token is replaced.</summary>
    public static string RedactPath(PathString path) =>
        path.StartsWithSegments("/agenda", StringComparison.OrdinalIgnoreCase, out var rest) && rest.HasValue && rest.Value!.Length > 1
            ? "/agenda/[token]"
            : path.ToString();

    /// <summary>The hash to look up, or null when the text cannot be a token (then nothing is looked up).</summary>
    public static string? Hash(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)))
            : null;
}

/// <summary>Limits of personal agendas (section "Agenda").</summary>
public sealed class AgendaOptions
{
    public const string Section = "Agenda";

    /// <summary>Sessions one agenda may hold.</summary>
    [Range(1, 5_000)]
    public int MaxSessions { get; set; } = 300;

    /// <summary>New agendas one client address may create per minute.</summary>
    [Range(1, 100_000)]
    public int CreationsPerMinute { get; set; } = 20;

    /// <summary>Lookups with a token that matches no agenda one client address may make per minute; then every lookup from it is refused (429) until the minute is over.</summary>
    [Range(1, 100_000)]
    public int FailedLookupsPerMinute { get; set; } = 30;
}
