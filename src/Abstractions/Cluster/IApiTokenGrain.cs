namespace Routines.Cluster;

/// <summary>The HTTP API's bearer tokens, for the console's admins (the service's <c>token</c> verb does the same). Key 0.</summary>
internal interface IApiTokenGrain : IGrainWithIntegerKey
{
    Task<IReadOnlyList<ApiTokenInfo>> ListAsync();

    /// <summary>Creates a token of scope <c>read</c>, <c>operate</c> or <c>admin</c>; its secret is in the answer, once.</summary>
    /// <exception cref="ArgumentException">The name is invalid or taken, or the scope unknown; the message says which.</exception>
    Task<CreatedApiToken> CreateAsync(string name, string scope);

    /// <summary>False when no active token has that name.</summary>
    Task<bool> RevokeAsync(string name);
}

/// <summary>A token as listed: never its secret.</summary>
[GenerateSerializer, Immutable]
internal sealed record ApiTokenInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Scope,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset? RevokedAt);

[GenerateSerializer, Immutable]
internal sealed record CreatedApiToken([property: Id(0)] ApiTokenInfo Token, [property: Id(1)] string Secret);
