using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Routines.Silo.Api;

/// <summary>What a token may do; each scope includes the ones below it.</summary>
internal enum TokenScope
{
    /// <summary>Read routines, runs, logs, metrics and workers.</summary>
    Read = 1,

    /// <summary>Also submit, cancel and retry runs.</summary>
    Operate = 2,

    /// <summary>Also create, list and revoke tokens.</summary>
    Admin = 3,
}

/// <summary>A bearer token as stored: its name and scope; the secret itself is kept only as a SHA-256 hash.</summary>
internal sealed record ApiToken(string Name, TokenScope Scope, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Where tokens are kept: beside the runs, in the service's store.</summary>
internal interface ITokenStore
{
    /// <summary>Adds the token; false when a token of that name exists (revoked ones too: names are never reused).</summary>
    Task<bool> AddAsync(ApiToken token, string hash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>False when there is no active token of that name.</summary>
    Task<bool> RevokeAsync(string name, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The active token with this hash, or null.</summary>
    Task<ApiToken?> FindAsync(string hash, CancellationToken cancellationToken = default);
}

/// <summary>Creates, checks and revokes the HTTP API's bearer tokens.</summary>
internal sealed partial class ApiTokens(ITokenStore store, TimeProvider clock)
{
    const string Prefix = "rtk_";

    /// <summary>A new token's secret, shown once: the store keeps only its hash.</summary>
    public async Task<(ApiToken Token, string Secret)> CreateAsync(string name, TokenScope scope, CancellationToken cancellationToken = default)
    {
        if (!ValidName().IsMatch(name))
            throw new ArgumentException($"A token name is 1 to 64 letters, digits, '.', '_' or '-' (got '{name}').");
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken(name, scope, clock.GetUtcNow(), null);
        if (!await store.AddAsync(token, HashOf(secret), cancellationToken))
            throw new ArgumentException($"There is already a token named '{name}' (revoked names are not reused).");
        return (token, secret);
    }

    public Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken = default) => store.ListAsync(cancellationToken);

    public Task<bool> RevokeAsync(string name, CancellationToken cancellationToken = default) => store.RevokeAsync(name, clock.GetUtcNow(), cancellationToken);

    /// <summary>The active token this secret is, or null (unknown, revoked, or not a token at all).</summary>
    public Task<ApiToken?> FindAsync(string secret, CancellationToken cancellationToken = default)
        => secret.StartsWith(Prefix, StringComparison.Ordinal) ? store.FindAsync(HashOf(secret), cancellationToken) : Task.FromResult<ApiToken?>(null);

    /// <summary>Whether any token is active: with none, a service on loopback answers without one.</summary>
    public async Task<bool> AnyActiveAsync(CancellationToken cancellationToken = default)
        => (await store.ListAsync(cancellationToken)).Any(t => t.RevokedAt is null);

    static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ValidName();
}
