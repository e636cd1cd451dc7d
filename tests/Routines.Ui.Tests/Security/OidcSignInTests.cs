using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;

namespace Routines.Ui.Tests.Security;

/// <summary>
/// Sign-in through an OpenID Connect provider: a small provider in this process (discovery, keys, authorize, token;
/// the code flow with PKCE) and the console as a real process configured for it, driven as a browser would.
/// </summary>
public sealed class OidcSignInTests : IAsyncLifetime
{
    readonly TestCertificates _certificates = new();
    readonly RSA _key = RSA.Create(2048);
    readonly ConcurrentDictionary<string, (string Nonce, string Challenge, string[] Roles)> _codes = new();
    readonly string _provider = $"http://127.0.0.1:{FreePort.Next()}";
    readonly string _console = $"https://127.0.0.1:{FreePort.Next()}";
    WebApplication? _app;
    TestProcess? _ui;

    /// <summary>The roles the provider puts in the next ID token.</summary>
    string[] _roles = [];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_provider);
        _app = builder.Build();
        var kid = "test-key";
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = _provider, ["authorization_endpoint"] = $"{_provider}/authorize", ["token_endpoint"] = $"{_provider}/token",
            ["jwks_uri"] = $"{_provider}/jwks", ["response_types_supported"] = new[] { "code" }, ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" }, ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var parameters = _key.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid,
                n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) } } });
        });
        // Signs the user in at once and sends the browser back with a code.
        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["client_id"] != "routines-console" || q["code_challenge_method"] != "S256") return Results.BadRequest("bad client or no PKCE");
            var code = Guid.NewGuid().ToString("N");
            _codes[code] = (q["nonce"]!, q["code_challenge"]!, _roles);
            return Results.Redirect($"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"]!)}");
        });
        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (!_codes.TryRemove(form["code"].ToString(), out var granted)) return Results.BadRequest(new { error = "invalid_grant" });
            var verifier = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString())));
            if (verifier != granted.Challenge || form["client_secret"] != "s3cret") return Results.BadRequest(new { error = "invalid_client" });
            var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = _provider, Audience = "routines-console", Expires = DateTime.UtcNow.AddMinutes(5),
                Claims = new Dictionary<string, object> { ["sub"] = "u-42", ["name"] = "erin", ["nonce"] = granted.Nonce, ["roles"] = granted.Roles },
                SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { id_token = token, access_token = "unused", token_type = "Bearer", expires_in = 300 });
        });
        await _app.StartAsync();

        var (certificate, key) = _certificates.Trusted("localhost");
        _ui = TestProcess.Start(BuildOutput.Dll("src/Ui", "Routines.Ui.dll"), Path.Combine(BuildOutput.RepositoryRoot, "src/Ui"), ["--urls", _console],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Kestrel__Certificates__Default__Path"] = certificate,
                ["Kestrel__Certificates__Default__KeyPath"] = key,
                ["Routines__Cluster__GatewayEndpoint"] = $"127.0.0.1:{FreePort.Next()}",
                ["Routines__Ui__Oidc__Authority"] = _provider,
                ["Routines__Ui__Oidc__ClientId"] = "routines-console",
                ["Routines__Ui__Oidc__ClientSecret"] = "s3cret",
                ["Routines__Ui__Oidc__DisplayName"] = "Test SSO",
            }, "ui-oidc");
        using var http = Client();
        await Eventually.TrueAsync(async () =>
        {
            try { return (await http.GetAsync($"{_console}/login")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60), "the console to answer");
    }

    public async Task DisposeAsync()
    {
        _ui?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _certificates.Dispose();
    }

    static HttpClient Client() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false, CookieContainer = new CookieContainer(),
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Follows redirects from the console to the provider and back, as a browser does; the last answer.</summary>
    static async Task<(HttpResponseMessage Answer, List<string> Visited)> FollowAsync(HttpClient http, string url)
    {
        var visited = new List<string>();
        for (var hops = 0; hops < 10; hops++)
        {
            visited.Add(url);
            var answer = await http.GetAsync(url);
            if (answer.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.TemporaryRedirect)) return (answer, visited);
            url = new Uri(new Uri(url), answer.Headers.Location!).ToString();
        }

        throw new InvalidOperationException($"too many redirects: {string.Join(" → ", visited)}");
    }

    [Fact]
    public async Task TheLoginPage_OffersTheProvider_AndItsUserSignsIn_WithTheRoleTheTokenNames()
    {
        using var http = Client();
        Assert.Contains("Log in with Test SSO", await (await http.GetAsync($"{_console}/login")).Content.ReadAsStringAsync());

        _roles = ["unrelated", "operator"];
        var (answer, visited) = await FollowAsync(http, $"{_console}/account/oidc?returnUrl=%2Fruns");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains(visited, v => v.StartsWith($"{_provider}/authorize", StringComparison.Ordinal));
        Assert.Equal($"{_console}/runs", visited[^1]); // signed in: the page itself, not the login page
        await _ui!.WaitForOutputAsync("erin signed in as Operator through Test SSO");
    }

    [Fact]
    public async Task AProviderUserWithoutAConsoleRole_IsAViewer_AndAForgedCallbackSignsNobodyIn()
    {
        using var http = Client();
        _roles = [];
        var (answer, visited) = await FollowAsync(http, $"{_console}/account/oidc?returnUrl=%2Fruns");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal($"{_console}/runs", visited[^1]);
        await _ui!.WaitForOutputAsync("erin signed in as Viewer through Test SSO");

        // A callback with a code but no state of this browser's own is refused: no cookie, back to sign-in.
        using var stranger = Client();
        var (forged, forgedVisits) = await FollowAsync(stranger, $"{_console}/signin-oidc?code=whatever&state=forged");
        Assert.DoesNotContain($"{_console}/runs", forgedVisits);
        var (runs, runsVisits) = await FollowAsync(stranger, $"{_console}/runs");
        Assert.StartsWith($"{_console}/login", runsVisits[^1]);
    }
}
