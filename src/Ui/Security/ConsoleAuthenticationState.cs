using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Routines.Ui.Security;

/// <summary>
/// Rechecks an open page's user (its circuit keeps the state it connected with): a managed user who was removed or
/// given another role is signed out of the page, and sent to sign in again.
/// </summary>
internal sealed class ConsoleAuthenticationState(ILoggerFactory loggers, ConsoleUsers users, Hosting.UiOptions options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.UserRecheckInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
        => ReferenceEquals(await users.CurrentAsync(state.User), state.User);
}
