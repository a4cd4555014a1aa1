using Microsoft.AspNetCore.Identity;

namespace LiveHub.Staff;

public sealed class StaffUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public DateTime CreatedAtUtc { get; set; }
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
