using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;
using Routines.Ui.Security;

namespace Routines.Ui.Tests.Security;

/// <summary>
/// The console process alone (no service: signing in and the security headers need none), in Production, serving
/// HTTP and HTTPS, with sign-in throttling shortened to seconds.
/// </summary>
public sealed partial class ConsoleSecurityTests(ConsoleSecurityTests.Console console) : IClassFixture<ConsoleSecurityTests.Console>
{
    internal const string Password = "a long enough passphrase";

    public sealed class Console : IAsyncLifetime
    {
        readonly TestCertificates _certificates = new();

        public TestProcess Process { get; private set; } = null!;

        public string Https { get; } = $"https://127.0.0.1:{FreePort.Next()}";

        public string Http { get; } = $"http://127.0.0.1:{FreePort.Next()}";

        public static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(6);

        public async Task InitializeAsync()
        {
            var (certificate, key) = _certificates.Trusted("localhost");
            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Kestrel__Certificates__Default__Path"] = certificate,
                ["Kestrel__Certificates__Default__KeyPath"] = key,
                ["Routines__Cluster__GatewayEndpoint"] = $"127.0.0.1:{FreePort.Next()}", // nothing there
                ["Routines__Ui__SignIn__FreeFailures"] = "2",
                ["Routines__Ui__SignIn__MaxFailuresPerUser"] = "4",
                ["Routines__Ui__SignIn__MaxFailuresPerAddress"] = "9",
                ["Routines__Ui__SignIn__LockDuration"] = LockDuration.ToString(),
            };
            string[] users = ["alice", "bob", "carol", "dave"];
            for (var i = 0; i < users.Length; i++)
            {
                environment[$"Routines__Ui__Users__{i}__Name"] = users[i];
                environment[$"Routines__Ui__Users__{i}__PasswordHash"] = PasswordHashes.Hash(Password);
                environment[$"Routines__Ui__Users__{i}__Role"] = "Operator";
            }

            Process = TestProcess.Start(BuildOutput.Dll("src/Ui", "Routines.Ui.dll"), Path.Combine(BuildOutput.RepositoryRoot, "src/Ui"),
                ["--urls", $"{Http};{Https}"], environment, "ui");
            // Kestrel answers while the Orleans client still looks for a cluster (there is none), so "started" is never logged.
            using var http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
            await Eventually.TrueAsync(async () =>
            {
                try { return (await http.GetAsync($"{Https}/login")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(60), "the console to answer");
        }

        public Task DisposeAsync()
        {
            Process.Dispose();
            _certificates.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>A browser-like client of the HTTPS address: it keeps cookies, follows no redirect, trusts the test certificate.</summary>
    internal sealed class Browser : IDisposable
    {
        readonly HttpClient _http;

        public Browser(string baseAddress, Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect = null)
        {
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                CookieContainer = new CookieContainer(),
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            };
            if (connect is not null) handler.ConnectCallback = connect;
            _http = new HttpClient(handler) { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(20) };
        }

        public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

        /// <summary>The cookies the last sign-in set, as Set-Cookie headers.</summary>
        public IReadOnlyList<string> SignInCookies { get; private set; } = [];

        /// <summary>Posts the login form as the page does, with its antiforgery token; the answer's redirect target.</summary>
        public async Task<string> SignInAsync(string name, string password)
        {
            var form = await (await _http.GetAsync("/login")).Content.ReadAsStringAsync();
            var token = AntiforgeryToken().Match(form).Groups[1].Value;
            using var answer = await _http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["name"] = name, ["password"] = password, ["returnUrl"] = "/runs",
            }));
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            SignInCookies = answer.Headers.TryGetValues("Set-Cookie", out var cookies) ? [.. cookies] : [];
            return answer.Headers.Location!.OriginalString;
        }

        public Task<HttpResponseMessage> PostAsync(string path) => _http.PostAsync(path, new FormUrlEncodedContent([]));

        public void Dispose() => _http.Dispose();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [Fact]
    public async Task EveryAnswer_CarriesTheSecurityHeaders_CookiesAreSecure_AndPlainHttpIsSentToHttps()
    {
        using var browser = new Browser(console.Https);
        using var login = await browser.GetAsync("/login");
        var csp = string.Join(" ", login.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Equal("nosniff", login.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", login.Headers.GetValues("Referrer-Policy").Single());
        Assert.All(login.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

        // HSTS on HTTPS, for a host name (ASP.NET Core leaves it off for localhost and loopback addresses).
        using var named = new Browser("https://console.test:443", ConnectToConsole);
        using var hsts = await named.GetAsync("/login");
        Assert.StartsWith("max-age=", hsts.Headers.GetValues("Strict-Transport-Security").Single());

        using var plain = new Browser(console.Http);
        using var redirected = await plain.GetAsync("/runs?status=failed");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal($"{console.Https}/runs?status=failed", redirected.Headers.Location!.ToString());
    }

    [Fact]
    public async Task TheSignInCookie_IsSecureHttpOnlyAndStrict_AndLogOutWithoutTheAntiforgeryToken_IsRefused()
    {
        using var browser = new Browser(console.Https);
        Assert.Equal("/runs", await browser.SignInAsync("bob", Password));
        var cookie = Assert.Single(browser.SignInCookies, c => c.StartsWith("routines.console=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie);
        Assert.Contains("; httponly", cookie);
        Assert.Contains("; samesite=strict", cookie);

        using var refused = await browser.PostAsync("/account/logout");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("antiforgery token", await refused.Content.ReadAsStringAsync());
        using var stillIn = await browser.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode); // not sent to the login page
    }

    /// <summary>A query of 8,000 characters answers at once; a request line over Kestrel's 8 KB limit gets 414 at once.</summary>
    [Fact]
    public async Task ASignedInRequestWithALongQuery_AnswersAtOnce()
    {
        using var browser = new Browser(console.Https);
        Assert.Equal("/runs", await browser.SignInAsync("bob", Password));

        using var longQuery = await browser.GetAsync($"/runs?search={new string('a', 8_000)}");
        Assert.Equal(HttpStatusCode.OK, longQuery.StatusCode);
        using var tooLong = await browser.GetAsync($"/runs?search={new string('a', 9_000)}");
        Assert.Equal(HttpStatusCode.RequestUriTooLong, tooLong.StatusCode);
    }

    [Fact]
    public async Task APlainTextPassword_IsRefusedAtStart_NamingTheSettingToUseAndTheVerbThatMakesIt()
    {
        using var ui = TestProcess.Start(BuildOutput.Dll("src/Ui", "Routines.Ui.dll"), Path.Combine(BuildOutput.RepositoryRoot, "src/Ui"),
            ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Routines__Ui__Users__0__Name"] = "admin",
                ["Routines__Ui__Users__0__Password"] = "change-me",
            }, "ui-plain");

        Assert.Equal(2, await ui.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Routines:Ui:Users:0:Password holds a password in plain text", ui.Stderr);
        Assert.Contains("PasswordHash", ui.Stderr);
        Assert.Contains("dotnet run --project src/Ui -- hash-password", ui.Stderr);
    }

    [Fact]
    public async Task HashPassword_PrintsAHashOfThePasswordItReads()
    {
        var start = new ProcessStartInfo("dotnet", [BuildOutput.Dll("src/Ui", "Routines.Ui.dll"), "hash-password"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var verb = System.Diagnostics.Process.Start(start)!;
        await verb.StandardInput.WriteLineAsync("s3cret passphrase");
        verb.StandardInput.Close();
        var printed = (await verb.StandardOutput.ReadToEndAsync()).Trim();
        await verb.WaitForExitAsync();

        Assert.Equal(0, verb.ExitCode);
        Assert.True(PasswordHashes.IsWellFormed(printed), printed);
        Assert.True(PasswordHashes.Verify(printed, "s3cret passphrase"));
        Assert.False(PasswordHashes.Verify(printed, "s3cret passphrasE"));
        Assert.DoesNotContain("s3cret", printed);
    }

    /// <summary>Connects a client that asks for another host name to the console's HTTPS port.</summary>
    async ValueTask<Stream> ConnectToConsole(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, new Uri(console.Https).Port, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }
}
