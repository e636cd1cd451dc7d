using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Routines.Ui.Security;

/// <summary>The user a page acts for: what the console's data layer checks the role of.</summary>
internal static class SignedInUser
{
    /// <summary>The cascaded authentication state's user; nobody (no role) when the page has none.</summary>
    public static async Task<ClaimsPrincipal> UserAsync(this Task<AuthenticationState>? authentication)
        => authentication is null ? new ClaimsPrincipal() : (await authentication).User;
}
