using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LiveHub.Staff;

/// <summary>Ensures the roles exist and, if configured, creates the first admin on start.</summary>
internal sealed class StaffBootstrapper(IServiceProvider services, IOptions<BootstrapAdminOptions> options, ILogger<StaffBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());

        var bootstrap = options.Value;
        if (string.IsNullOrEmpty(bootstrap.AdminEmail) || string.IsNullOrEmpty(bootstrap.AdminPassword))
        {
            return;
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        if ((await users.GetUsersInRoleAsync(StaffRoles.Admin)).Count > 0)
        {
            return;
        }

        var result = await CreateAdmin.CreateAsync(users, scope.ServiceProvider.GetRequiredService<TimeProvider>(), bootstrap.AdminEmail, bootstrap.AdminPassword, bootstrap.AdminDisplayName);
        if (result.Succeeded)
        {
            logger.LogInformation("Created the first admin, {Email}, from configuration.", bootstrap.AdminEmail);
        }
        else
        {
            throw new InvalidOperationException($"Could not create the first admin from configuration: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        foreach (var role in StaffRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }
}

/// <summary>Creates or promotes an admin account; used by the create-admin command and by configuration.</summary>
public static class CreateAdmin
{
    /// <param name="displayName">The admin's public name on live posts; the default when null, kept as it is for an existing account when null.</param>
    public static async Task<IdentityResult> CreateAsync(UserManager<StaffUser> users, TimeProvider clock, string email, string password, string? displayName = null)
    {
        if (StaffNames.LooksLikeEmail(displayName))
        {
            return IdentityResult.Failed(new IdentityError { Code = "DisplayName", Description = "The display name is shown to the public and must not be an email address." });
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new StaffUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = StaffNames.PublicName(displayName),
                CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
            };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return created;
            }
        }
        else
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            var reset = await users.ResetPasswordAsync(user, token, password);
            if (!reset.Succeeded)
            {
                return reset;
            }

            await users.SetLockoutEndDateAsync(user, null);
            if (!string.IsNullOrWhiteSpace(displayName) || string.IsNullOrWhiteSpace(user.DisplayName))
            {
                user.DisplayName = StaffNames.PublicName(displayName);
            }

            user.DisabledAtUtc = null;
            await users.UpdateAsync(user);
        }

        return await users.IsInRoleAsync(user, StaffRoles.Admin) ? IdentityResult.Success : await users.AddToRoleAsync(user, StaffRoles.Admin);
    }
}
