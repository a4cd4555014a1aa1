using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LiveHub.Staff;

/// <summary>
/// Identity's user manager, with two rules that make revocation immediate: a role change renews the
/// security stamp (so every cookie and token issued before it stops working), and every saved change
/// or deletion is announced to <see cref="IStaffAccountChanges"/> so no instance keeps a stale check.
/// </summary>
public sealed class StaffUserManager(
    IUserStore<StaffUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<StaffUser> passwordHasher,
    IEnumerable<IUserValidator<StaffUser>> userValidators,
    IEnumerable<IPasswordValidator<StaffUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<StaffUser>> logger,
    IStaffAccountChanges changes)
    : UserManager<StaffUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<IdentityResult> AddToRoleAsync(StaffUser user, string role) =>
        await RenewStampIfSucceeded(user, await base.AddToRoleAsync(user, role));

    public override async Task<IdentityResult> AddToRolesAsync(StaffUser user, IEnumerable<string> roles) =>
        await RenewStampIfSucceeded(user, await base.AddToRolesAsync(user, roles));

    public override async Task<IdentityResult> RemoveFromRoleAsync(StaffUser user, string role) =>
        await RenewStampIfSucceeded(user, await base.RemoveFromRoleAsync(user, role));

    public override async Task<IdentityResult> RemoveFromRolesAsync(StaffUser user, IEnumerable<string> roles) =>
        await RenewStampIfSucceeded(user, await base.RemoveFromRolesAsync(user, roles));

    public override async Task<IdentityResult> DeleteAsync(StaffUser user)
    {
        var result = await base.DeleteAsync(user);
        if (result.Succeeded)
        {
            await changes.PublishAsync(user.Id, CancellationToken);
        }

        return result;
    }

    protected override async Task<IdentityResult> UpdateUserAsync(StaffUser user)
    {
        var result = await base.UpdateUserAsync(user);
        if (result.Succeeded)
        {
            await changes.PublishAsync(user.Id, CancellationToken);
        }

        return result;
    }

    /// <summary>Ends every session and token of the account (sign-out everywhere).</summary>
    public Task<IdentityResult> RevokeSessionsAsync(StaffUser user) => UpdateSecurityStampAsync(user);

    private async Task<IdentityResult> RenewStampIfSucceeded(StaffUser user, IdentityResult result) =>
        result.Succeeded ? await UpdateSecurityStampAsync(user) : result;
}
