using Microsoft.AspNetCore.Authentication.Cookies;
using MudBlazor.Services;
using Routines.Client;
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
            ui.Users.Add(new UiUser { Name = "admin", Password = "admin" });
        }

        invalid = cluster.Validate() ?? ui.Validate();
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
        builder.Services.AddSingleton<ClusterHealth>();
        builder.Services.AddSingleton<ConsoleData>();
        builder.Services.AddHostedService<ClusterMonitor>();

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.Cookie.Name = "routines.console";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return true;
    }

    public static WebApplication MapRoutinesConsole(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapRunDownloads();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
