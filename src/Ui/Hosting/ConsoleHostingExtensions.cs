using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using MudBlazor.Services;
using Routines.Client;
using Routines.Telemetry;
using Routines.Ui.Components;
using Routines.Ui.Security;
using Routines.Ui.Services;

namespace Routines.Ui.Hosting;

/// <summary>Composes the console: Orleans client, cookie login, Blazor Server with MudBlazor, and the data services.</summary>
public static class ConsoleHostingExtensions
{
    /// <summary>Registers the console's services; false (with a sentence naming the key) when a setting is invalid.</summary>
    public static bool AddRoutinesConsole(this WebApplicationBuilder builder, out string? invalid)
    {
        var cluster = new RoutinesClientOptions();
        var ui = new UiOptions();
        try
        {
            builder.Configuration.GetSection(RoutinesClientOptions.Section).Bind(cluster);
            builder.Configuration.GetSection("Routines:Ui").Bind(ui);
        }
        catch (InvalidOperationException exception)
        {
            invalid = $"Invalid Routines settings: {exception.Message}";
            return false;
        }

        if (ui.Users.Count == 0 && builder.Environment.IsDevelopment())
        {
            ui.Users.Add(new UiUser { Name = "admin", PasswordHash = PasswordHashes.Hash("admin"), Role = ConsoleRole.Admin });
        }

        invalid = PlainPassword(builder.Configuration) ?? cluster.Validate() ?? ui.Validate();
        if (invalid is not null) return false;

        builder.Logging.AddFilter("Orleans", LogLevel.Warning);

        // MudBlazor's CSS and JS come from its package: serve them from the build output too, not only when published.
        builder.WebHost.UseStaticWebAssets();

        // Kestrel must listen while the Orleans client is still looking for the cluster, so the console can say so.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        // The console shows an outage itself (a banner, the page's red panel) and refreshes when the service is back:
        // its calls are not repeated, or a page would say nothing for the client's two minutes.
        cluster.OutageTolerance = TimeSpan.Zero;
        builder.UseRoutinesClient(cluster);
        builder.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectionRetry>(); // after the client's own: it keeps trying

        builder.Services.AddSingleton(ui);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<ClusterHealth>();
        builder.Services.AddSingleton<ConsoleData>();
        builder.Services.AddSingleton<TokenAdmin>();
        builder.Services.AddSingleton<ConsoleUsers>();
        builder.Services.AddHostedService<ClusterMonitor>();
        builder.Services.AddRoutinesTelemetry(builder.Configuration, "routines-console", prometheus: true);
        builder.Services.AddHealthChecks().AddReadyCheck("cluster", (services, _) =>
        {
            var health = services.GetRequiredService<ClusterHealth>();
            return Task.FromResult(health.Reachable ? null : $"the cluster does not answer: {health.Problem}");
        });

        // The sign-in cookie is Secure outside Development, even where the console sees plain HTTP behind a proxy that
        // ends TLS. The antiforgery cookie follows the request: antiforgery refuses to work at all over plain HTTP with
        // Always, and it holds no secret worth more than the page it came with.
        var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme);
        if (ui.Oidc.Enabled) AddOidc(authentication, ui.Oidc);
        authentication
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/forbidden";
                o.Cookie.Name = "routines.console";
                o.Cookie.HttpOnly = true;
                // Lax with a provider: its redirect back is a cross-site navigation, which a Strict cookie would not follow.
                o.Cookie.SameSite = ui.Oidc.Enabled ? SameSiteMode.Lax : SameSiteMode.Strict;
                o.Cookie.SecurePolicy = secure;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // A managed user removed or given another role: the next request says so (ConsoleUsers rechecks).
                o.Events.OnValidatePrincipal = async context =>
                {
                    var current = await context.HttpContext.RequestServices.GetRequiredService<ConsoleUsers>().CurrentAsync(context.Principal!);
                    if (current is null)
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                    else if (!ReferenceEquals(current, context.Principal))
                    {
                        context.ReplacePrincipal(current);
                        context.ShouldRenew = true;
                    }
                };
            });
        builder.Services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ConsolePolicies.Operate, p => p.RequireRole(nameof(ConsoleRole.Operator), nameof(ConsoleRole.Admin)))
            .AddPolicy(ConsolePolicies.Administer, p => p.RequireRole(nameof(ConsoleRole.Admin)));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddScoped<AuthenticationStateProvider, ConsoleAuthenticationState>();
        builder.Services.AddMudServices();
        return true;
    }

    /// <summary>
    /// Sign-in through the team's provider: the authorization code flow with PKCE; the ID token's name and role claim
    /// become the console's cookie, as a password sign-in's would.
    /// </summary>
    static void AddOidc(AuthenticationBuilder authentication, OidcOptions oidc) => authentication.AddOpenIdConnect(AccountEndpoints.OidcScheme, o =>
    {
        o.Authority = oidc.Authority;
        o.ClientId = oidc.ClientId;
        o.ClientSecret = oidc.ClientSecret;
        o.RequireHttpsMetadata = new Uri(oidc.Authority!).Scheme == Uri.UriSchemeHttps;
        o.ResponseType = OpenIdConnectResponseType.Code;
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.MapInboundClaims = false;
        o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        o.Events.OnTokenValidated = context =>
        {
            context.Principal = AccountEndpoints.FromProvider(context.Principal!, oidc);
            context.HttpContext.RequestServices.GetRequiredService<ILogger<OidcOptions>>().LogInformation(
                "{User} signed in as {Role} through {Provider}.", context.Principal.Identity!.Name,
                context.Principal.FindFirst(System.Security.Claims.ClaimTypes.Role)!.Value, oidc.DisplayName);
            return Task.CompletedTask;
        };
    });

    /// <summary>A password in plain text is refused, naming the key and how to make its hash instead.</summary>
    static string? PlainPassword(IConfiguration configuration)
    {
        var users = configuration.GetSection("Routines:Ui:Users").GetChildren();
        var plain = users.FirstOrDefault(u => u["Password"] is not null);
        return plain is null ? null
            : $"Routines:Ui:Users:{plain.Key}:Password holds a password in plain text, which the console does not read: "
            + $"set Routines:Ui:Users:{plain.Key}:PasswordHash instead. {UiOptions.HashHint}";
    }

    public static WebApplication MapRoutinesConsole(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseSecurityHeaders();
        if (ServesHttps(app))
        {
            // Only when the console itself listens on HTTPS: behind a proxy that ends TLS, the proxy does both.
            if (!app.Environment.IsDevelopment()) app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseStaticFiles();
        app.MapRoutinesProbes();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapRunDownloads();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Whether an address the console listens on is HTTPS (<c>--urls</c>, ASPNETCORE_URLS or Kestrel's endpoints).</summary>
    static bool ServesHttps(WebApplication app)
    {
        var urls = (app.Configuration["urls"] ?? "").Split(';')
            .Concat(app.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"] ?? ""));
        return urls.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
    }
}
