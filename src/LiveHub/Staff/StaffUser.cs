using Microsoft.AspNetCore.Identity;

namespace LiveHub.Staff;

public sealed class StaffUser : IdentityUser
{
    /// <summary>The name the public sees on live posts. Never the email address; see <see cref="PublicName"/>.</summary>
    public string? DisplayName { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    /// <summary>Set while an admin has disabled the account: it cannot sign in and every session and token it had is refused.</summary>
    public DateTime? DisabledAtUtc { get; set; }
    public DateTime? LastSignInAtUtc { get; set; }

    /// <summary>What public outputs show for this account: its display name, or a neutral default, never the email.</summary>
    public string PublicName => StaffNames.PublicName(DisplayName);
}

public static class StaffNames
{
    /// <summary>Used when an account has no display name (for example one created before names were required).</summary>
    public const string DefaultDisplayName = "Comms team";
    public const int MaxLength = 200;

    public static string PublicName(string? displayName) =>
        string.IsNullOrWhiteSpace(displayName) ? DefaultDisplayName : displayName.Trim();

    /// <summary>A display name must not be (or contain) an email address: it is shown to the public.</summary>
    public static bool LooksLikeEmail(string? value) =>
        value is not null && value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Any(word => word.Contains('@', StringComparison.Ordinal) && System.Net.Mail.MailAddress.TryCreate(word.Trim('<', '>', '(', ')', ',', ';'), out _));
}

public static class StaffRoles
{
    /// <summary>Manages staff accounts and hub settings, and can do everything an editor can.</summary>
    public const string Admin = "Admin";

    /// <summary>Manages events, sessions, speakers and live posts.</summary>
    public const string Editor = "Editor";

    public static readonly IReadOnlyList<string> All = [Admin, Editor];
}

public static class StaffPolicies
{
    public const string Editor = "Editor";
    public const string Admin = "Admin";
}
