using System.Security.Claims;
using Routines.Cluster;
using Routines.Ui.Security;

namespace Routines.Ui.Services;

/// <summary>The HTTP API's tokens, for admins: listed, created (the secret shown once) and revoked on the service.</summary>
internal sealed class TokenAdmin(IClusterClient cluster)
{
    IApiTokenGrain Tokens => cluster.GetGrain<IApiTokenGrain>(0);

    public Task<IReadOnlyList<ApiTokenInfo>> ListAsync(ClaimsPrincipal user)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Admin, "managing API tokens");
        return Tokens.ListAsync();
    }

    public Task<CreatedApiToken> CreateAsync(ClaimsPrincipal user, string name, string scope)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Admin, "managing API tokens");
        return Tokens.CreateAsync(name, scope);
    }

    public Task<bool> RevokeAsync(ClaimsPrincipal user, string name)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Admin, "managing API tokens");
        return Tokens.RevokeAsync(name);
    }
}
