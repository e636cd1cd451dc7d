using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Routines.Ui.Security;

namespace Routines.Ui.Components.Pages.Users;

/// <summary>Admins add console users, change their roles and remove them; configured users are listed, not changed.</summary>
public sealed partial class Users
{
    IReadOnlyList<ConsoleUserView>? _users;
    string _name = "";
    string _password = "";
    ConsoleRole _role = ConsoleRole.Viewer;
    string? _error;
    bool _acting;

    [Inject] ConsoleUsers Accounts { get; set; } = null!;

    [Inject] IDialogService Dialogs { get; set; } = null!;

    [CascadingParameter] Task<AuthenticationState>? Authentication { get; set; }


    protected override Task OnInitializedAsync() => ActAsync(() => Task.CompletedTask);

    Task AddAsync() => ActAsync(async () =>
    {
        await Accounts.AddAsync(await Authentication.UserAsync(), _name.Trim(), _password, _role);
        (_name, _password) = ("", "");
    });

    Task SetRoleAsync(string name, ConsoleRole role) => ActAsync(async () => await Accounts.SetRoleAsync(await Authentication.UserAsync(), name, role));

    async Task RemoveAsync(string name)
    {
        if (await Dialogs.ShowMessageBoxAsync("Remove this user?", $"{name} is signed out everywhere and can no longer sign in.",
                yesText: "Remove", cancelText: "Keep") != true) return;
        await ActAsync(async () => await Accounts.RemoveAsync(await Authentication.UserAsync(), name));
    }

    /// <summary>Does the action, then lists the users again; a failure's message shows in the page's error panel.</summary>
    async Task ActAsync(Func<Task> action)
    {
        _acting = true;
        _error = null;
        try
        {
            await action();
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }

        try
        {
            _users = await Accounts.ListAsync(await Authentication.UserAsync());
        }
        catch (Exception exception)
        {
            _error ??= exception.Message;
        }
        finally
        {
            _acting = false;
        }
    }
}
