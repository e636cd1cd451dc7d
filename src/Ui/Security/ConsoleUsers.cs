using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Routines.Cluster;
using Routines.Ui.Hosting;

namespace Routines.Ui.Security;

/// <summary>A console user as the Users page lists them: managed ones can be changed there, configured ones cannot.</summary>
internal sealed record ConsoleUserView(string Name, ConsoleRole Role, bool Managed, DateTimeOffset? CreatedAt);

/// <summary>
/// Who may sign in: the users in configuration, then the users admins manage on the Users page (kept by the service,
/// <see cref="IConsoleUserGrain"/>). A managed user's sign-in is rechecked every
/// <see cref="UiOptions.UserRecheckInterval"/>, so removing a user or changing their role reaches sessions already open.
/// </summary>
internal sealed partial class ConsoleUsers(UiOptions options, IClusterClient cluster, TimeProvider time, ILogger<ConsoleUsers> log)
{
    /// <summary>The claim that marks a managed user's sign-in ("managed"), the ones rechecked.</summary>
    public const string SourceClaim = "routines.source";

    static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    readonly ConcurrentDictionary<string, (DateTimeOffset At, ConsoleUserRecord? User)> _checked = new();

    IConsoleUserGrain Store => cluster.GetGrain<IConsoleUserGrain>(0);

    /// <summary>The hash and role to sign <paramref name="name"/> in with, or null for a name nobody has.</summary>
    public async Task<(string PasswordHash, ConsoleRole Role, bool Managed)?> FindAsync(string? name)
    {
        if (string.IsNullOrEmpty(name)) return null;
        if (options.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal)) is { } configured)
            return (configured.PasswordHash, configured.Role, false);
        try
        {
            return await Store.FindAsync(name).WaitAsync(CallTimeout) is { } stored ? (stored.PasswordHash, RoleOf(stored), true) : null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogStoreUnreachable(name, exception.Message);
            return null;
        }
    }

    /// <summary>The principal as it should be now: null when its managed user was removed, another when the role changed.</summary>
    public async Task<ClaimsPrincipal?> CurrentAsync(ClaimsPrincipal principal)
    {
        if (principal.FindFirst(SourceClaim)?.Value != "managed" || principal.Identity?.Name is not { } name) return principal;
        var now = time.GetUtcNow();
        if (!_checked.TryGetValue(name, out var seen) || now - seen.At >= options.UserRecheckInterval)
        {
            try
            {
                seen = (now, await Store.FindAsync(name).WaitAsync(CallTimeout));
                _checked[name] = seen;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return principal; // the service is away: an outage signs nobody out
            }
        }

        if (seen.User is null) return null;
        return principal.IsInRole(RoleOf(seen.User).ToString()) ? principal : SignedIn(name, RoleOf(seen.User), managed: true);
    }

    /// <summary>The cookie's principal for a user who signed in: a name, one role, and whether the service keeps them.</summary>
    public static ClaimsPrincipal SignedIn(string name, ConsoleRole role, bool managed)
        => new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.ToString()), new Claim(SourceClaim, managed ? "managed" : "configured")],
            Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme));

    public async Task<IReadOnlyList<ConsoleUserView>> ListAsync(ClaimsPrincipal admin)
    {
        Demand(admin);
        var managed = await Store.ListAsync().WaitAsync(CallTimeout);
        return [.. options.Users.Select(u => new ConsoleUserView(u.Name, u.Role, Managed: false, CreatedAt: null))
            .Concat(managed.Select(u => new ConsoleUserView(u.Name, RoleOf(u), Managed: true, u.CreatedAt)))];
    }

    public async Task AddAsync(ClaimsPrincipal admin, string name, string password, ConsoleRole role)
    {
        Demand(admin);
        if (!ValidName().IsMatch(name)) throw new ArgumentException($"A user name is 1 to 64 letters, digits, '.', '_', '@' or '-' (got '{name}').");
        CheckPassword(password);
        if (options.Users.Any(u => u.Name == name)) throw new ArgumentException($"'{name}' is a user from the console's configuration already.");
        var user = new ConsoleUserRecord(name, PasswordHashes.Hash(password), role.ToString(), time.GetUtcNow());
        if (!await Store.AddAsync(user).WaitAsync(CallTimeout)) throw new ArgumentException($"There is a user named '{name}' already.");
        LogChanged(admin.Identity?.Name, "added", name, role.ToString());
    }

    public async Task SetRoleAsync(ClaimsPrincipal admin, string name, ConsoleRole role)
    {
        DemandManagedOther(admin, name);
        if (!await Store.UpdateAsync(name, null, role.ToString()).WaitAsync(CallTimeout)) throw new ArgumentException($"There is no managed user named '{name}'.");
        LogChanged(admin.Identity?.Name, "changed the role of", name, role.ToString());
    }

    public async Task SetPasswordAsync(ClaimsPrincipal admin, string name, string password)
    {
        DemandManagedOther(admin, name, allowSelf: true);
        CheckPassword(password);
        if (!await Store.UpdateAsync(name, PasswordHashes.Hash(password), null).WaitAsync(CallTimeout)) throw new ArgumentException($"There is no managed user named '{name}'.");
        LogChanged(admin.Identity?.Name, "set the password of", name, "");
    }

    public async Task RemoveAsync(ClaimsPrincipal admin, string name)
    {
        DemandManagedOther(admin, name);
        if (!await Store.RemoveAsync(name).WaitAsync(CallTimeout)) throw new ArgumentException($"There is no managed user named '{name}'.");
        LogChanged(admin.Identity?.Name, "removed", name, "");
    }

    static void Demand(ClaimsPrincipal admin) => ConsolePolicies.Demand(admin, ConsoleRole.Admin, "managing console users");

    /// <summary>Configured users change in configuration only; an admin cannot demote or remove themselves (and lock everyone out).</summary>
    void DemandManagedOther(ClaimsPrincipal admin, string name, bool allowSelf = false)
    {
        Demand(admin);
        if (options.Users.Any(u => u.Name == name)) throw new ArgumentException($"'{name}' comes from the console's configuration: change it there.");
        if (!allowSelf && admin.Identity?.Name == name) throw new ArgumentException("An admin cannot change their own role or remove themselves; ask another admin.");
    }

    static void CheckPassword(string password)
    {
        if (password.Length < 12) throw new ArgumentException("A password has at least 12 characters.");
    }

    static ConsoleRole RoleOf(ConsoleUserRecord user) => Enum.TryParse<ConsoleRole>(user.Role, out var role) ? role : ConsoleRole.Viewer;

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex ValidName();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot look up console user '{Name}' on the service ({Reason}); only configured users can sign in meanwhile.")]
    partial void LogStoreUnreachable(string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Admin} {Change} console user '{Name}' {Role}")]
    partial void LogChanged(string? admin, string change, string name, string role);
}
