using System.Text.Json;
using System.Text.Json.Serialization;
using Routines.Client;

namespace Routines.Silo.Scheduling;

/// <summary>Where the service keeps schedules and what became of their ticks: the run store's database, in tables of their own.</summary>
internal interface IScheduleStore
{
    /// <summary>Every schedule with its state (without next fire times, which are computed).</summary>
    Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the schedule's row and appends <paramref name="ticks"/>, atomically (a tick already recorded is kept).</summary>
    Task SaveAsync(ScheduleInfo schedule, IReadOnlyList<ScheduleTick> ticks, CancellationToken cancellationToken = default);

    /// <summary>Removes the schedule and its ticks' records; false when there was none.</summary>
    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>What became of the schedule's ticks, newest first.</summary>
    Task<IReadOnlyList<ScheduleTick>> ListTicksAsync(string name, int take, CancellationToken cancellationToken = default);

    /// <summary>Forgets what became of ticks recorded before <paramref name="recordedBefore"/> (retention); the schedules stay.</summary>
    Task ForgetTicksAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken = default);
}

/// <summary>The schedule as stored: JSON with the enums by name, so a row reads the same to a person in psql.</summary>
internal static class StoredSchedule
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string Write(Schedule schedule) => JsonSerializer.Serialize(schedule, Json);

    public static Schedule Read(string json) => JsonSerializer.Deserialize<Schedule>(json, Json)!;
}
