using Routines.Client;
using Routines.Silo.Scheduling;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Tests.Fixtures;

namespace Routines.Silo.Tests.Storage;

/// <summary>What both schedule stores must do alike: keep a schedule with its state, record ticks once, forget and remove.</summary>
public abstract class ScheduleStoreContractTests
{
    static readonly DateTimeOffset T0 = new(2026, 3, 29, 1, 0, 0, TimeSpan.Zero);

    private protected abstract Task<IScheduleStore> CreateStoreAsync();

    static ScheduleInfo Nightly() => new()
    {
        Schedule = new Schedule
        {
            Name = "nightly", RoutineId = "wfname:train:1.0.0", InputJson = """{"model":"résnet"}""", Cron = "0 3 * * *", TimeZone = "Europe/Paris",
            Overlap = ScheduleOverlap.CancelPrevious, CatchUpWindow = TimeSpan.FromMinutes(90), Priority = -5,
        },
        Declared = true, CreatedAt = T0, UpdatedAt = T0, LastTick = T0,
    };

    [Fact]
    public async Task ASchedule_ComesBackAsSaved_AndASecondSaveReplacesItsState()
    {
        var store = await CreateStoreAsync();
        var saved = Nightly();

        await store.SaveAsync(saved, []);
        Assert.Equal(saved with { NextTicks = [] }, (await store.ListAsync()).Single() with { NextTicks = [] });

        var changed = saved with { Paused = true, UpdatedAt = T0.AddHours(1), LastTick = T0.AddDays(1), LastRunId = "schedule-nightly-20260330t010000z", BufferedTick = T0.AddDays(2) };
        await store.SaveAsync(changed, []);
        var read = (await store.ListAsync()).Single();
        Assert.Equal(changed.Schedule, read.Schedule);
        Assert.Equal((true, T0.AddDays(1), "schedule-nightly-20260330t010000z", T0.AddDays(2), T0), (read.Paused, read.LastTick, read.LastRunId, read.BufferedTick, read.CreatedAt));
    }

    [Fact]
    public async Task Ticks_AreListedNewestFirst_ARangeKeepsItsCount_AndATickRecordedTwiceIsKeptOnce()
    {
        var store = await CreateStoreAsync();
        var started = new ScheduleTick(T0.AddDays(2), ScheduleTickOutcome.Started, "schedule-nightly-20260331t010000z", null, T0.AddDays(2));
        var skipped = new ScheduleTick(T0, ScheduleTickOutcome.Skipped, null, "missed", T0.AddDays(2), 2, T0.AddDays(1));

        await store.SaveAsync(Nightly(), [skipped, started]);
        await store.SaveAsync(Nightly(), [started with { Outcome = ScheduleTickOutcome.Failed, Reason = "again" }]);

        Assert.Equal([started, skipped], await store.ListTicksAsync("nightly", 10));
        Assert.Equal([started], await store.ListTicksAsync("nightly", 1));
        Assert.Empty(await store.ListTicksAsync("other", 10));
    }

    [Fact]
    public async Task ForgettingTicks_KeepsNewerOnesAndTheSchedule_AndRemovingTheScheduleTakesItsTicks()
    {
        var store = await CreateStoreAsync();
        var old = new ScheduleTick(T0, ScheduleTickOutcome.Started, "a", null, T0);
        var recent = new ScheduleTick(T0.AddDays(1), ScheduleTickOutcome.Started, "b", null, T0.AddDays(30));
        await store.SaveAsync(Nightly(), [old, recent]);

        await store.ForgetTicksAsync(T0.AddDays(10));

        Assert.Equal([recent], await store.ListTicksAsync("nightly", 10));
        Assert.Single(await store.ListAsync());
        Assert.True(await store.RemoveAsync("nightly"));
        Assert.Empty(await store.ListAsync());
        Assert.Empty(await store.ListTicksAsync("nightly", 10));
        Assert.False(await store.RemoveAsync("nightly"));
    }
}

public sealed class SqliteScheduleStoreTests : ScheduleStoreContractTests
{
    private protected override Task<IScheduleStore> CreateStoreAsync()
        => Task.FromResult<IScheduleStore>(new SqliteScheduleStore(Path.Combine(Path.GetTempPath(), "routines-tests", Guid.NewGuid().ToString("N"), "routines.db")));
}

[Collection("postgres")]
public sealed class PostgresScheduleStoreTests(PostgresFixture postgres) : ScheduleStoreContractTests, IAsyncLifetime
{
    readonly List<PostgresScheduleStore> _stores = [];

    private protected override async Task<IScheduleStore> CreateStoreAsync()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await PostgresMigrations.ApplyAsync(connectionString);
        var store = new PostgresScheduleStore(connectionString);
        _stores.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }
}
