using Routines.Silo.Hosting;
using Orleans.Concurrency;
using Routines.Cluster;

namespace Routines.Silo.Api;

/// <summary>Token administration for the console, over the same <see cref="ApiTokens"/> as the HTTP API and the verb.</summary>
[StatelessWorker]
internal sealed class ApiTokenGrain(ApiTokens tokens) : CallerSafeGrain, IApiTokenGrain
{
    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync() => [.. (await tokens.ListAsync()).Select(Info)];

    public async Task<CreatedApiToken> CreateAsync(string name, string scope)
    {
        if (!Enum.TryParse<TokenScope>(scope, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            throw new ArgumentException($"A token's scope is read, operate or admin (got '{scope}').");
        var (token, secret) = await tokens.CreateAsync(name, parsed);
        return new CreatedApiToken(Info(token), secret);
    }

    public Task<bool> RevokeAsync(string name) => tokens.RevokeAsync(name);

    static ApiTokenInfo Info(ApiToken token) => new(token.Name, token.Scope.ToString().ToLowerInvariant(), token.CreatedAt, token.RevokedAt);
}
