namespace Routines.Ui.Security;

/// <summary>
/// Optional sign-in with the team's OpenID Connect provider (<c>Routines:Ui:Oidc</c>): set <see cref="Authority"/>
/// and <see cref="ClientId"/> and the login page offers it beside the configured users.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL (its discovery document is under it); HTTPS unless on loopback.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>What the login page's button names, e.g. "Contoso SSO".</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>The ID token claim holding the user's roles; its values <c>viewer</c>, <c>operator</c>, <c>admin</c> count, the highest wins.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The role of a user whose token names none of the console's roles.</summary>
    public ConsoleRole DefaultRole { get; set; } = ConsoleRole.Viewer;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public string? Validate()
    {
        if (!Enabled) return null;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && !authority.IsLoopback))
            return $"Routines:Ui:Oidc:Authority must be an https:// URL (or http:// on loopback), got '{Authority}'.";
        if (string.IsNullOrWhiteSpace(ClientId)) return "Routines:Ui:Oidc:ClientId is empty: set the client id the provider gave the console.";
        return null;
    }
}
