namespace Routines.Ui.Hosting;

/// <summary>The console's own settings, bound from the <c>Routines:Ui</c> configuration section.</summary>
public sealed class UiOptions
{
    /// <summary>
    /// Who may log in: <c>Routines:Ui:Users:0:Name</c> and <c>Routines:Ui:Users:0:Password</c> (environment:
    /// <c>Routines__Ui__Users__0__Name</c>, …). When none is configured, only the Development environment falls back
    /// to admin/admin.
    /// </summary>
    public List<UiUser> Users { get; set; } = [];

    /// <summary>How often live pages re-read the cluster.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A clear sentence for the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (Users.Count == 0)
            return "No console user is configured: set Routines:Ui:Users:0:Name and Routines:Ui:Users:0:Password "
                 + "(environment Routines__Ui__Users__0__Name, Routines__Ui__Users__0__Password), or run in the Development environment for admin/admin.";
        for (var i = 0; i < Users.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Users[i].Name)) return $"Routines:Ui:Users:{i}:Name is empty.";
            if (string.IsNullOrEmpty(Users[i].Password)) return $"Routines:Ui:Users:{i}:Password is empty for user '{Users[i].Name}'.";
        }

        if (RefreshInterval < TimeSpan.FromMilliseconds(100))
            return $"Routines:Ui:RefreshInterval must be at least 00:00:00.1 (got {RefreshInterval}).";
        return null;
    }
}
