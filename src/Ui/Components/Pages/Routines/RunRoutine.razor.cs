using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using global::Routines.Client;
using global::Routines.Ui.Security;
using global::Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.Catalog;

/// <summary>The Run form of one routine: generated from its input schema, submits and opens the new run.</summary>
public sealed partial class RunRoutine
{
    RoutineDescriptor? _routine;
    string? _formSchema;
    string? _error;
    int _priority; // the routine's own until changed; sent only when it differs

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] NavigationManager Navigation { get; set; } = null!;

    [CascadingParameter] Task<AuthenticationState>? Authentication { get; set; }

    /// <summary>The routine id, for example <c>wfname:train_and_pick_model:1.0.0</c>, or a bare name.</summary>
    [SupplyParameterFromQuery(Name = "id")]
    public string? Id { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            _error = "Pick a routine to run from the catalog.";
            return;
        }

        try
        {
            var routines = await Data.ListRoutinesAsync();
            _routine = routines.FirstOrDefault(r => r.Id.ToString() == Id)
                       ?? routines.Where(r => r.Id.Name == Id).OrderByDescending(r => r.Id.Version, StringComparer.Ordinal).FirstOrDefault();
            _priority = _routine?.Priority ?? 0;
            // A routine reference in the input is offered as a choice of the live routines that fit it.
            _formSchema = _routine is null ? null : Forms.RoutineChoices.Offer(_routine.InputSchema, routines);
            _error = _routine is null
                ? $"No live worker offers {Id}. Start a worker that hosts it, or pick another routine from the catalog."
                : null;
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }
    }

    async Task SubmitAsync(string inputJson)
    {
        try
        {
            var options = _priority == _routine!.Priority ? null : new CallOptions { Priority = _priority };
            var runId = await Data.SubmitAsync(await Authentication.UserAsync(), _routine.Id.ToString(), inputJson, options);
            Navigation.NavigateTo($"runs/{runId}");
        }
        catch (Exception exception)
        {
            // The service checks again (InvalidRoutineInputException, RoutineNotFoundException): its message says what to fix.
            _error = exception.Message;
        }
    }
}
