using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Routines.Cluster;
using Routines.Ui.Security;
using Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.Tokens;

/// <summary>Admins list, create and revoke the HTTP API's tokens; a new token's secret is shown once.</summary>
public sealed partial class Tokens
{
    IReadOnlyList<ApiTokenInfo>? _tokens;
    CreatedApiToken? _created;
    string _name = "";
    string _scope = "read";
    string? _error;
    bool _acting;

    [Inject] TokenAdmin Admin { get; set; } = null!;

    [Inject] IDialogService Dialogs { get; set; } = null!;

    [CascadingParameter] Task<AuthenticationState>? Authentication { get; set; }


    protected override Task OnInitializedAsync() => ActAsync(() => Task.CompletedTask);

    Task CreateAsync() => ActAsync(async () =>
    {
        _created = null;
        _created = await Admin.CreateAsync(await Authentication.UserAsync(), _name.Trim(), _scope);
        _name = "";
    });

    async Task RevokeAsync(string name)
    {
        if (await Dialogs.ShowMessageBoxAsync("Revoke this token?", $"Token {name} stops working at once. This cannot be undone.",
                yesText: "Revoke", cancelText: "Keep it") != true) return;
        await ActAsync(async () =>
        {
            if (!await Admin.RevokeAsync(await Authentication.UserAsync(), name)) _error = $"Token {name} is not active.";
        });
    }

    /// <summary>Does the action, then lists the tokens again; a failure's message shows in the page's error panel.</summary>
    async Task ActAsync(Func<Task> action)
    {
        _acting = true;
        _error = null;
        try
        {
            await action();
            _tokens = await Admin.ListAsync(await Authentication.UserAsync());
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }
        finally
        {
            _acting = false;
        }
    }
}
