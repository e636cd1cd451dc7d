using Routines.Ui.Security;

namespace Routines.Ui.Hosting;

/// <summary>The console's own settings, bound from the <c>Routines:Ui</c> configuration section.</summary>
public sealed class UiOptions
{
    /// <summary>
    /// Who may log in: <c>Routines:Ui:Users:0:Name</c>, <c>…:PasswordHash</c> and <c>…:Role</c> (environment:
    /// <c>Routines__Ui__Users__0__Name</c>, …). When none is configured, only the Development environment falls back
    /// to admin/admin.
    /// </summary>
    public List<UiUser> Users { get; set; } = [];

    /// <summary>How often live pages re-read the cluster.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How failed sign-ins slow down and lock.</summary>
    public SignInOptions SignIn { get; set; } = new();

    /// <summary>How often a managed user's open session is checked against the service (removed, or another role).</summary>
    public TimeSpan UserRecheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Optional sign-in through an OpenID Connect provider, beside the configured users.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// Where a run's trace is shown in the team's tracing tool, <c>{traceId}</c> standing for the trace's id, e.g.
    /// <c>https://jaeger.example.com/trace/{traceId}</c>; without it the console shows the id alone.
    /// </summary>
    public string? TraceLinkTemplate { get; set; }

    /// <summary>The link to a trace, or null when no template is set.</summary>
    public string? TraceLink(string traceId) => string.IsNullOrWhiteSpace(TraceLinkTemplate) ? null : TraceLinkTemplate.Replace("{traceId}", Uri.EscapeDataString(traceId));

    /// <summary>A clear sentence for the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (Users.Count == 0 && !Oidc.Enabled)
            return "No console user is configured: set Routines:Ui:Users:0:Name, Routines:Ui:Users:0:PasswordHash and Routines:Ui:Users:0:Role "
                 + "(environment Routines__Ui__Users__0__Name, …), or an OpenID Connect provider (Routines:Ui:Oidc:Authority and ClientId), "
                 + "or run in the Development environment for admin/admin. "
                 + HashHint;
        for (var i = 0; i < Users.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Users[i].Name)) return $"Routines:Ui:Users:{i}:Name is empty.";
            if (string.IsNullOrEmpty(Users[i].PasswordHash)) return $"Routines:Ui:Users:{i}:PasswordHash is empty for user '{Users[i].Name}'. {HashHint}";
            if (!PasswordHashes.IsWellFormed(Users[i].PasswordHash))
                return $"Routines:Ui:Users:{i}:PasswordHash of user '{Users[i].Name}' is not a password hash. {HashHint}";
        }

        if (!string.IsNullOrWhiteSpace(TraceLinkTemplate)
            && (!TraceLinkTemplate.Contains("{traceId}", StringComparison.Ordinal)
                || !Uri.TryCreate(TraceLinkTemplate.Replace("{traceId}", "0"), UriKind.Absolute, out var link) || link.Scheme is not ("http" or "https")))
            return $"Routines:Ui:TraceLinkTemplate must be an http(s) address containing {{traceId}}, e.g. https://jaeger.example.com/trace/{{traceId}} (got '{TraceLinkTemplate}').";
        if (RefreshInterval < TimeSpan.FromMilliseconds(100))
            return $"Routines:Ui:RefreshInterval must be at least 00:00:00.1 (got {RefreshInterval}).";
        return SignIn.Validate() ?? Oidc.Validate();
    }

    public const string HashHint = "Make a hash with: dotnet run --project src/Ui -- hash-password";
}

/// <summary>
/// Sign-in throttling (<c>Routines:Ui:SignIn</c>): after <see cref="FreeFailures"/> failures each answer waits longer
/// (from a quarter second, doubling, up to 4 s); a user name or an address that reaches its maximum is locked for
/// <see cref="LockDuration"/>, even for the right password.
/// </summary>
public sealed class SignInOptions
{
    public int FreeFailures { get; set; } = 3;

    public int MaxFailuresPerUser { get; set; } = 10;

    public int MaxFailuresPerAddress { get; set; } = 30;

    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(15);

    public string? Validate()
    {
        if (FreeFailures < 0) return $"Routines:Ui:SignIn:FreeFailures must be 0 or more (got {FreeFailures}).";
        if (MaxFailuresPerUser < 1) return $"Routines:Ui:SignIn:MaxFailuresPerUser must be at least 1 (got {MaxFailuresPerUser}).";
        if (MaxFailuresPerAddress < 1) return $"Routines:Ui:SignIn:MaxFailuresPerAddress must be at least 1 (got {MaxFailuresPerAddress}).";
        if (LockDuration <= TimeSpan.Zero) return $"Routines:Ui:SignIn:LockDuration must be positive (got {LockDuration}).";
        return null;
    }
}
