using Routines.Ui.Security;

namespace Routines.Ui.Hosting;

/// <summary>One console login, from configuration: a name, the hash of its password and what it may do.</summary>
public sealed class UiUser
{
    public string Name { get; set; } = "";

    /// <summary>The password's hash, as <c>dotnet run --project src/Ui -- hash-password</c> prints it; never the password.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>What the user may do; a user whose role is not set only watches.</summary>
    public ConsoleRole Role { get; set; } = ConsoleRole.Viewer;
}
