using LiveHub.Problems;

namespace LiveHub.Staff;

internal static class StaffValidation
{
    /// <summary>Checks a display name; returns it trimmed, or the default when it is optional and absent.</summary>
    public static string? DisplayName(string? value, ValidationErrors errors, bool required)
    {
        var name = value?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            if (required)
            {
                errors.Add("displayName", "is required: it is the name the public sees on live posts.");
            }

            return required ? null : StaffNames.DefaultDisplayName;
        }

        errors.MaxLength("displayName", name, StaffNames.MaxLength);
        if (StaffNames.LooksLikeEmail(name))
        {
            errors.Add("displayName", "must not be an email address: it is shown to the public on live posts.");
        }

        return name;
    }
}
