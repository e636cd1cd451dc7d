using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Routines.Ui.Hosting;

namespace Routines.Ui.Security;

/// <summary>
/// Log in and out: form posts from the static login page and the app bar. Both are form endpoints, so ASP.NET Core's
/// antiforgery middleware validates the token the forms carry.
/// </summary>
internal static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", LoginAsync).AllowAnonymous();
        app.MapPost("/account/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        });
        return app;
    }

    static async Task<IResult> LoginAsync(HttpContext http, UiOptions options,
        [FromForm(Name = "name")] string? name, [FromForm(Name = "password")] string? password, [FromForm(Name = "returnUrl")] string? returnUrl)
    {
        var target = IsLocal(returnUrl) ? returnUrl! : "/";
        var user = options.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        if (user is null || !SamePassword(user.Password, password ?? ""))
        {
            return Results.LocalRedirect($"/login?failed=1&returnUrl={Uri.EscapeDataString(target)}");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name)], CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.LocalRedirect(target);
    }

    /// <summary>Compares in constant time, so response timing does not reveal how much of a password matched.</summary>
    static bool SamePassword(string expected, string given)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));

    /// <summary>Only paths of this site, so the login cannot redirect elsewhere.</summary>
    static bool IsLocal(string? url)
        => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
