using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Routines.Ui.Hosting;

namespace Routines.Ui.Security;

/// <summary>
/// Log in and out: form posts from the static login page and the app bar, each checked against the antiforgery token
/// its form carries. Sign-in goes through <see cref="SignInThrottle"/>.
/// </summary>
internal static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", LoginAsync).AllowAnonymous();
        app.MapGet("/account/oidc", (string? returnUrl) => Results.Challenge(new() { RedirectUri = IsLocal(returnUrl) ? returnUrl : "/" }, [OidcScheme]))
            .AllowAnonymous();
        app.MapPost("/account/logout", LogoutAsync);
        return app;
    }

    /// <summary>The authentication scheme of sign-in through the OpenID Connect provider.</summary>
    public const string OidcScheme = "oidc";

    static async Task<IResult> LoginAsync(HttpContext http, ConsoleUsers users, SignInThrottle throttle, ILogger<ConsoleUsers> log,
        [FromForm(Name = "name")] string? name, [FromForm(Name = "password")] string? password, [FromForm(Name = "returnUrl")] string? returnUrl)
    {
        var target = IsLocal(returnUrl) ? returnUrl! : "/";
        var keys = SignInThrottle.Keys(name, http);
        if (throttle.TryBegin(keys) is { } lockedUntil)
            return Results.LocalRedirect($"/login?lockedUntil={Uri.EscapeDataString(lockedUntil.ToString("u"))}&returnUrl={Uri.EscapeDataString(target)}");

        var user = await users.FindAsync(name);
        if (!PasswordHashes.Verify(user?.PasswordHash, password ?? ""))
        {
            await throttle.FailedAsync(keys);
            return Results.LocalRedirect($"/login?failed=1&returnUrl={Uri.EscapeDataString(target)}");
        }

        throttle.Succeeded(keys);
        var (_, role, managed) = user!.Value;
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, ConsoleUsers.SignedIn(name!, role, managed));
        log.LogInformation("{User} signed in as {Role} with a password from {Address}.", name, role, http.Connection.RemoteIpAddress);
        return Results.LocalRedirect(target);
    }

    /// <summary>The provider's user as a console user: their name, and the highest console role their role claim names.</summary>
    public static ClaimsPrincipal FromProvider(ClaimsPrincipal provided, OidcOptions oidc)
    {
        var name = provided.FindFirst("name")?.Value ?? provided.FindFirst("preferred_username")?.Value ?? provided.FindFirst("sub")?.Value ?? "unknown";
        var named = provided.FindAll(oidc.RoleClaim).Select(c => Enum.TryParse<ConsoleRole>(c.Value, ignoreCase: true, out var r) ? r : (ConsoleRole?)null)
            .OfType<ConsoleRole>().ToList();
        return ConsoleUsers.SignedIn(name, named.Count > 0 ? named.Max() : oidc.DefaultRole, managed: false);
    }

    /// <summary>Checks the form's token itself: the endpoint binds no form field, so nothing else would.</summary>
    static async Task<IResult> LogoutAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
            return Results.Problem(statusCode: 400, title: "Bad request", detail: "Log out from the console's own button: the request carried no valid antiforgery token.");
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.LocalRedirect("/login");
    }

    /// <summary>Only paths of this site, so the login cannot redirect elsewhere.</summary>
    static bool IsLocal(string? url)
        => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
