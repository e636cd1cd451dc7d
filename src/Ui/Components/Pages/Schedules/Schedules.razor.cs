using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Routines.Client;
using Routines.Ui.Hosting;
using Routines.Ui.Security;
using Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.Schedules;

/// <summary>
/// The schedules with their next fire times and last runs, re-read at the console's refresh interval; operators make,
/// change, pause, resume and remove them; anyone opens a schedule's latest ticks.
/// </summary>
public sealed partial class Schedules : IDisposable
{
    const int TicksShown = 20;

    IReadOnlyList<ScheduleInfo>? _schedules;
    IReadOnlyList<string> _routineNames = [];
    readonly Dictionary<string, IReadOnlyList<ScheduleTick>> _ticks = new(StringComparer.Ordinal);
    ScheduleForm _form = new();
    string? _error;
    bool _acting;
    LiveRefresh? _live;

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] TimeProvider Time { get; set; } = null!;

    [Inject] UiOptions Options { get; set; } = null!;

    [Inject] IDialogService Dialogs { get; set; } = null!;

    [CascadingParameter] Task<AuthenticationState>? Authentication { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _live = LiveRefresh.Start(Options.RefreshInterval, Time, _ => InvokeAsync(async () =>
        {
            if (_acting) return;
            await RefreshAsync();
            StateHasChanged();
        }));
        try
        {
            _routineNames = [.. (await Data.ListRoutinesAsync()).Select(r => r.Id.Name).Distinct().Order(StringComparer.Ordinal)];
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }

        await RefreshAsync();
    }

    async Task RefreshAsync()
    {
        try
        {
            _schedules = await Data.ListSchedulesAsync(_live?.Stopping ?? default);
            foreach (var name in _ticks.Keys.ToList()) _ticks[name] = await Data.ListScheduleTicksAsync(name, TicksShown, _live?.Stopping ?? default);
        }
        catch (OperationCanceledException) when (_live?.Stopping.IsCancellationRequested == true)
        {
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }
    }

    Task SaveAsync() => ActAsync(async () =>
    {
        await Data.SaveScheduleAsync(await Authentication.UserAsync(), _form.ToSchedule());
        _form = new ScheduleForm { Routine = _form.Routine };
    });

    Task SetPausedAsync(string name, bool paused) => ActAsync(async () =>
    {
        if (await Data.SetSchedulePausedAsync(await Authentication.UserAsync(), name, paused) is null) _error = $"Schedule {name} is gone.";
    });

    async Task RemoveAsync(string name)
    {
        if (await Dialogs.ShowMessageBoxAsync("Remove this schedule?", $"Schedule {name} starts no more runs; the runs it started stay.",
                yesText: "Remove", cancelText: "Keep it") != true) return;
        await ActAsync(async () =>
        {
            _ticks.Remove(name);
            if (!await Data.RemoveScheduleAsync(await Authentication.UserAsync(), name)) _error = $"Schedule {name} is gone.";
        });
    }

    void Edit(ScheduleInfo info) => _form = ScheduleForm.Of(info.Schedule);

    async Task ToggleTicksAsync(string name)
    {
        if (!_ticks.Remove(name)) await ActAsync(async () => _ticks[name] = await Data.ListScheduleTicksAsync(name, TicksShown));
    }

    /// <summary>Does the action, then reads the schedules again; a failure's message shows in the page's error panel.</summary>
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
        finally
        {
            _acting = false;
        }

        await RefreshAsync();
    }

    static string When(Schedule schedule) => schedule.Cron is { } cron ? $"{cron} ({schedule.TimeZone})" : $"every {schedule.Every}";

    static string OverlapText(ScheduleOverlap overlap) => overlap switch
    {
        ScheduleOverlap.BufferOne => "start it after",
        ScheduleOverlap.AllowAll => "start anyway",
        ScheduleOverlap.CancelPrevious => "cancel it and start",
        _ => "skip the tick",
    };

    public void Dispose() => _live?.Dispose();

    /// <summary>The form's fields as typed; <see cref="ToSchedule"/> reads them, and says which one is wrong.</summary>
    sealed class ScheduleForm
    {
        public string Name { get; set; } = "";
        public string? Routine { get; set; }
        public bool ByCron { get; set; } = true;
        public string Cron { get; set; } = "0 3 * * *";
        public string TimeZone { get; set; } = "UTC";
        public string Every { get; set; } = "01:00:00";
        public ScheduleOverlap Overlap { get; set; }
        public string CatchUp { get; set; } = Schedule.DefaultCatchUpWindow.ToString();
        public string Priority { get; set; } = "";
        public string Input { get; set; } = "{}";

        public Schedule ToSchedule() => new()
        {
            Name = Name.Trim(),
            RoutineId = Routine ?? throw new ArgumentException("Choose the routine the schedule starts."),
            InputJson = Input,
            Cron = ByCron ? Cron.Trim() : null,
            TimeZone = TimeZone.Trim(),
            Every = ByCron ? null : Span(Every, "Every"),
            Overlap = Overlap,
            CatchUpWindow = Span(CatchUp, "Catch-up window"),
            Priority = string.IsNullOrWhiteSpace(Priority) ? null
                : int.TryParse(Priority, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p
                : throw new ArgumentException($"Priority '{Priority}' is not a whole number."),
        };

        public static ScheduleForm Of(Schedule s) => new()
        {
            Name = s.Name, Routine = s.RoutineId, ByCron = s.Cron is not null, Cron = s.Cron ?? "0 3 * * *", TimeZone = s.TimeZone,
            Every = s.Every?.ToString() ?? "01:00:00", Overlap = s.Overlap, CatchUp = s.CatchUpWindow.ToString(),
            Priority = s.Priority?.ToString(CultureInfo.InvariantCulture) ?? "", Input = s.InputJson,
        };

        static TimeSpan Span(string text, string field)
            => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span
             : throw new ArgumentException($"{field} '{text}' is not a duration such as 01:00:00.");
    }
}
