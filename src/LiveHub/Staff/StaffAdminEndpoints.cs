using LiveHub.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Staff;

public sealed record StaffMemberResponse(
    string Id, string Email, string DisplayName, IReadOnlyList<string> Roles, bool LockedOut, DateTimeOffset? LockoutEnd,
    bool Disabled, DateTimeOffset? DisabledAt, DateTimeOffset? LastSignInAt);

public sealed record CreateStaffRequest(string? Email, string? DisplayName, string? Password, string? Role);

public sealed record UpdateStaffRequest(string? DisplayName, string? Role, bool? Unlock, bool? Disabled);

public static class StaffAdminEndpoints
{
    public static void MapStaffAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/staff").WithTags("Staff")
            .RequireAuthorization(StaffPolicies.Admin).RequireAntiforgeryForCookies();
        staff.MapGet("/", ListStaff);
        staff.MapPost("/", CreateStaff);
        staff.MapPut("/{id}", UpdateStaff);
        staff.MapDelete("/{id}", DeleteStaff);
    }

    private static async Task<Ok<List<StaffMemberResponse>>> ListStaff(UserManager<StaffUser> users, TimeProvider clock, CancellationToken cancellationToken)
    {
        var all = await users.Users.OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var result = new List<StaffMemberResponse>(all.Count);
        foreach (var user in all)
        {
            result.Add(await Describe(user, users, clock));
        }

        return TypedResults.Ok(result);
    }

    private static async Task<Results<Created<StaffMemberResponse>, ValidationProblem, ProblemHttpResult>> CreateStaff(
        CreateStaffRequest request, UserManager<StaffUser> users, TimeProvider clock)
    {
        var errors = new ValidationErrors();
        var email = request.Email?.Trim();
        errors.Required("email", email);
        errors.MaxLength("email", email, 256);
        if (email is not null && (!System.Net.Mail.MailAddress.TryCreate(email, out _) || !AccountEndpoints.IsValidUnicode(email)))
        {
            errors.Add("email", "is not a valid email address.");
        }

        errors.Required("password", request.Password);
        var displayName = StaffValidation.DisplayName(request.DisplayName, errors, required: false);
        var role = NormaliseRole(request.Role, errors);
        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        if (await users.FindByEmailAsync(email!) is not null)
        {
            errors.Add("email", "a staff account with this email address already exists.");
            return errors.ToConflict("Duplicate staff account");
        }

        var user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName, CreatedAtUtc = clock.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            foreach (var error in created.Errors)
            {
                errors.Add(error.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "email", error.Description);
            }

            return errors.ToProblem();
        }

        await users.AddToRoleAsync(user, role!);
        return TypedResults.Created($"/api/staff/{user.Id}", await Describe(user, users, clock));
    }

    private static async Task<Results<Ok<StaffMemberResponse>, ValidationProblem, ProblemHttpResult>> UpdateStaff(
        string id, UpdateStaffRequest request, HttpContext http, UserManager<StaffUser> users, TimeProvider clock)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound(id);
        }

        var errors = new ValidationErrors();
        var displayName = request.DisplayName is null ? null : StaffValidation.DisplayName(request.DisplayName, errors, required: true);
        var role = request.Role is null ? null : NormaliseRole(request.Role, errors);
        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var isSelf = users.GetUserId(http.User) == user.Id;
        if (request.Disabled == true && user.DisabledAtUtc is null)
        {
            if (isSelf)
            {
                errors.Add("disabled", "you cannot disable your own account.");
                return errors.ToConflict("Cannot disable your own account");
            }

            if (await users.IsInRoleAsync(user, StaffRoles.Admin) && await IsLastAdmin(users, user))
            {
                errors.Add("disabled", "this is the last admin; make someone else an admin first.");
                return errors.ToConflict("Cannot disable the last admin");
            }
        }

        if (role is not null)
        {
            var current = await users.GetRolesAsync(user);
            if (current.Contains(StaffRoles.Admin) && role != StaffRoles.Admin && await IsLastAdmin(users, user))
            {
                errors.Add("role", "this is the last admin; make someone else an admin first.");
                return errors.ToConflict("Cannot remove the last admin");
            }

            if (current.Count != 1 || current[0] != role)
            {
                // Each renews the security stamp, so the account's sessions and tokens end with the old roles.
                await users.RemoveFromRolesAsync(user, current);
                await users.AddToRoleAsync(user, role);
            }
        }

        if (displayName is not null)
        {
            user.DisplayName = displayName;
            await users.UpdateAsync(user);
        }

        if (request.Disabled is { } disabled && disabled != (user.DisabledAtUtc is not null))
        {
            user.DisabledAtUtc = disabled ? clock.GetUtcNow().UtcDateTime : null;
            // Saves the flag and renews the stamp: every session and token of the account ends now.
            await users.UpdateSecurityStampAsync(user);
        }

        if (request.Unlock == true)
        {
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
        }

        return TypedResults.Ok(await Describe(user, users, clock));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteStaff(
        string id, HttpContext http, UserManager<StaffUser> users)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound(id);
        }

        if (users.GetUserId(http.User) == user.Id)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "You cannot delete your own account.");
        }

        if (await users.IsInRoleAsync(user, StaffRoles.Admin) && await IsLastAdmin(users, user))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot delete the last admin");
        }

        await users.DeleteAsync(user);
        return TypedResults.NoContent();
    }

    private static string? NormaliseRole(string? role, ValidationErrors errors)
    {
        var match = StaffRoles.All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            errors.Add("role", $"must be one of: {string.Join(", ", StaffRoles.All)}.");
        }

        return match;
    }

    private static async Task<bool> IsLastAdmin(UserManager<StaffUser> users, StaffUser user)
    {
        var admins = await users.GetUsersInRoleAsync(StaffRoles.Admin);
        return admins.Count == 1 && admins[0].Id == user.Id;
    }

    private static async Task<StaffMemberResponse> Describe(StaffUser user, UserManager<StaffUser> users, TimeProvider clock) => new(
        user.Id, user.Email!, user.PublicName, [.. await users.GetRolesAsync(user)],
        user.LockoutEnd is { } end && end > clock.GetUtcNow(), user.LockoutEnd,
        user.DisabledAtUtc is not null, Utc(user.DisabledAtUtc), Utc(user.LastSignInAtUtc));

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc), TimeSpan.Zero) : null;

    private static ProblemHttpResult NotFound(string id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Staff member not found", detail: $"There is no staff account with the id '{id}'.");
}
