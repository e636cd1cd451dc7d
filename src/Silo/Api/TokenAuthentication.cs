using Microsoft.AspNetCore.Authorization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Routines.Silo.Api;

/// <summary>The scope an endpoint needs, as endpoint metadata: read by the authorization policy and the 403's message.</summary>
internal sealed record RequiresScope(TokenScope Scope)
{
    public string Policy => Scope.ToString();
}

/// <summary>
/// Who may call the HTTP API: <c>Authorization: Bearer rtk_…</c> with a token the store holds. A service that listens
/// on loopback only and has no active token answers without one, as the embedded default (decision #46).
/// </summary>
internal sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens, ApiAccess access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "Bearer";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Probes and the scrape endpoint need no identity: they must not ask the token store, which may be the very
        // database a readiness probe is reporting down.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null) return AuthenticateResult.NoResult();
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return await access.IsOpenAsync(Context.RequestAborted)
                ? Success("anonymous", TokenScope.Admin)
                : AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");
        var token = await tokens.FindAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        return token is null ? AuthenticateResult.Fail("The token is unknown or revoked.") : Success(token.Name, token.Scope);
    }

    AuthenticateResult Success(string name, TokenScope scope)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ScopeClaim, scope.ToString())], Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await Context.AuthenticateAsync(Name)).Failure?.Message;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            failure ?? "This API needs a bearer token: Authorization: Bearer <token>. Create one with the service's "
                      + "'token create --name NAME --scope read|operate|admin' verb.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<RequiresScope>()?.Scope;
        return ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden",
            $"Token '{Context.User.Identity?.Name}' has the scope {Context.User.FindFirstValue(ScopeClaim)?.ToLowerInvariant()}; "
          + $"this operation needs {needed?.ToString().ToLowerInvariant() ?? "another scope"}.");
    }

    /// <summary>The scope a principal holds (none when unauthenticated).</summary>
    public static TokenScope? ScopeOf(ClaimsPrincipal user)
        => Enum.TryParse<TokenScope>(user.FindFirstValue(ScopeClaim), out var scope) ? scope : null;
}

/// <summary>Whether the API answers without a token: only on loopback, and only while no token is active.</summary>
internal sealed class ApiAccess(ApiTokens tokens, TimeProvider clock, bool loopbackOnly)
{
    /// <summary>A token created by the verb (another process) closes the door within this long.</summary>
    static readonly TimeSpan Recheck = TimeSpan.FromSeconds(2);

    bool _open;
    DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public async Task<bool> IsOpenAsync(CancellationToken cancellationToken)
    {
        if (!loopbackOnly) return false;
        if (clock.GetUtcNow() - _checkedAt < Recheck) return _open;
        _open = !await tokens.AnyActiveAsync(cancellationToken);
        _checkedAt = clock.GetUtcNow();
        return _open;
    }
}
