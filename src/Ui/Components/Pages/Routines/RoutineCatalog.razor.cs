using Microsoft.AspNetCore.Components;
using global::Routines.Client;
using global::Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.Catalog;

/// <summary>The routines live workers offer, with versions, policies and schemas, and a Run button each.</summary>
public sealed partial class RoutineCatalog
{
    IReadOnlyList<RoutineDescriptor>? _routines;
    string? _error;
    readonly HashSet<string> _open = [];

    [Inject] ConsoleData Data { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _routines = [.. (await Data.ListRoutinesAsync())
                .DistinctBy(r => r.Id.ToString())
                .OrderBy(r => r.Id.Name, StringComparer.Ordinal).ThenByDescending(r => r.Id.Version, StringComparer.Ordinal)];
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }
    }

    void Toggle(RoutineDescriptor routine)
    {
        if (!_open.Add(routine.Id.ToString())) _open.Remove(routine.Id.ToString());
    }
}
