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
        app.MapPost("/account/logout", LogoutAsync);
        return app;
    }

    static async Task<IResult> LoginAsync(HttpContext http, UiOptions options, SignInThrottle throttle,
        [FromForm(Name = "name")] string? name, [FromForm(Name = "password")] string? password, [FromForm(Name = "returnUrl")] string? returnUrl)
    {
        var target = IsLocal(returnUrl) ? returnUrl! : "/";
        var keys = SignInThrottle.Keys(name, http);
        if (throttle.TryBegin(keys) is { } lockedUntil)
            return Results.LocalRedirect($"/login?lockedUntil={Uri.EscapeDataString(lockedUntil.ToString("u"))}&returnUrl={Uri.EscapeDataString(target)}");

        var user = options.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        if (!PasswordHashes.Verify(user?.PasswordHash, password ?? ""))
        {
            await throttle.FailedAsync(keys);
            return Results.LocalRedirect($"/login?failed=1&returnUrl={Uri.EscapeDataString(target)}");
        }

        throttle.Succeeded(keys);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user!.Name), new Claim(ClaimTypes.Role, user.Role.ToString())],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.LocalRedirect(target);
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
