namespace Routines.Ui.Hosting;

/// <summary>One console login, from configuration.</summary>
public sealed class UiUser
{
    public string Name { get; set; } = "";

    public string Password { get; set; } = "";
}
