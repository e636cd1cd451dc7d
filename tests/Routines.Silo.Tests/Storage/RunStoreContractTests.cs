using System.Text.Json;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Silo.Storage;

namespace Routines.Silo.Tests.Storage;

/// <summary>
/// The behaviour every run store must have. A store's test class derives from this one and only says how to create
/// an empty store; every fact below then runs against it. Nothing here may depend on one store's technology.
/// </summary>
public abstract class RunStoreContractTests : IAsyncLifetime
{
    /// <summary>A fixed instant with milliseconds, the precision every store keeps.</summary>
    protected static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    private IRunStore? _store;

    /// <summary>Creates a new, empty, initialized store for one test.</summary>
    private protected abstract Task<IRunStore> CreateStoreAsync();

    /// <summary>Closes <see cref="Store"/> and opens the same database again, as a restarted service would.</summary>
    private protected abstract Task<IRunStore> ReopenAsync();

    private protected IRunStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    public virtual async Task InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }

    // ------------------------------------------------------------ runs

    [Fact]
    public async Task SaveRun_ThenGetRun_ReturnsEveryField()
    {
        var run = FullRun("run-full");

        await Store.SaveRunAsync(run, []);

        AssertSameRun(run, await Store.GetRunAsync("run-full"));
    }

    [Fact]
    public async Task SaveRun_WithOnlyRequiredFields_ReturnsNullsAsNulls()
    {
        var run = NewRun("run-min");

        await Store.SaveRunAsync(run, []);

        var stored = await Store.GetRunAsync("run-min");
        AssertSameRun(run, stored);
        Assert.Null(stored!.Error);
        Assert.Null(stored.Progress);
        Assert.Null(stored.StartedAt);
        Assert.Null(stored.CachedFromRunId);
        Assert.Null(stored.Options);
        Assert.Null(stored.Policy);
    }

    /// <summary>A policy's settings at their defaults are left out of the stored JSON (decision #73) and read back as they were.</summary>
    [Fact]
    public async Task SaveRun_PoliciesAtAndBesideTheirDefaults_ReadBackTheSame()
    {
        var task = TimeSpan.FromHours(1);
        RunPolicy[] policies =
        [
            new(new RetryPolicy(), task, Cache: false, ExecutionPolicy.Remote),
            new(RetryPolicy.None, TimeSpan.Zero, Cache: true, ExecutionPolicy.Local, Priority: -5),
            new(new RetryPolicy { MaxWorkerLosses = 1, BackoffCoefficient = 1, InitialDelay = TimeSpan.Zero }, task, false, ExecutionPolicy.PreferLocal, 100),
            new(new RetryPolicy { MaxDelay = TimeSpan.Zero, NonRetryableErrors = ["System.ArgumentException", "Oom"] }, TimeSpan.MaxValue, false, 0),
        ];

        for (var i = 0; i < policies.Length; i++)
        {
            var run = NewRun($"run-{i}") with { Policy = policies[i], Options = new CallOptions { Retry = policies[i].Retry } };
            await Store.SaveRunAsync(run, []);
            AssertSameRun(run, await Store.GetRunAsync(run.RunId));
        }
    }

    [Fact]
    public async Task Reopen_SameDatabase_KeepsEverything()
    {
        var run = NewRun("run-1", status: RunStatus.Succeeded) with { OutputJson = "1" };
        var transition = new RunEvent("run-1", T0, RunStatus.Succeeded, 1, "worker-a", null);
        var line = new RunLogLine("run-1", 1, T0, LogLevel.Information, "done", 1);
        var point = new MetricPoint("run-1", "loss", 1, 0.5, T0);
        var entry = new CacheEntry("key-1", run.RoutineId, "1", "run-1", T0);
        await Task.WhenAll(
            Store.SaveRunAsync(run, [transition], entry),
            Store.AppendLogsAsync([line]),
            Store.AppendMetricsAsync([point]));

        var reopened = await ReopenAsync();

        Assert.Equal(run, await reopened.GetRunAsync("run-1"));
        Assert.Equal([transition], await reopened.GetHistoryAsync("run-1"));
        Assert.Equal([line], await reopened.GetLogsAsync("run-1"));
        Assert.Equal([point], await reopened.GetMetricsAsync("run-1"));
        Assert.Equal(entry, await reopened.GetCachedAsync("key-1"));
    }

    [Fact]
    public async Task GetRun_UnknownId_ReturnsNull()
    {
        await Store.SaveRunAsync(NewRun("run-1"), []);

        Assert.Null(await Store.GetRunAsync("run-2"));
    }

    [Fact]
    public async Task SaveRun_SameIdAgain_ReplacesTheRecord()
    {
        var pending = NewRun("run-1");
        var finished = pending with
        {
            Status = RunStatus.Succeeded,
            Attempt = 1,
            OutputJson = """{"accuracy":0.9}""",
            StartedAt = T0.AddSeconds(1),
            FinishedAt = T0.AddSeconds(5),
            Worker = "worker-a",
            Progress = new RunProgress(10, 10, "done", T0.AddSeconds(5)),
        };

        await Store.SaveRunAsync(pending, []);
        await Store.SaveRunAsync(finished, []);

        AssertSameRun(finished, await Store.GetRunAsync("run-1"));
        Assert.Equal(1, (await Store.ListRunsAsync(new RunFilter())).Total);
    }

    [Fact]
    public async Task SaveRun_ClearingOptionalFields_StoresTheNulls()
    {
        var full = FullRun("run-1");
        var cleared = NewRun("run-1");

        await Store.SaveRunAsync(full, []);
        await Store.SaveRunAsync(cleared, []);

        AssertSameRun(cleared, await Store.GetRunAsync("run-1"));
    }

    // ------------------------------------------------------------ history

    [Fact]
    public async Task SaveRun_WithTransitions_AppendsHistoryOldestFirst()
    {
        var run = NewRun("run-1");
        RunEvent[] events =
        [
            new("run-1", T0, RunStatus.Pending, 0, null, "submitted"),
            new("run-1", T0.AddSeconds(1), RunStatus.Running, 1, "worker-a", null),
            new("run-1", T0.AddSeconds(2), RunStatus.Pending, 1, "worker-a", "retry in 1 s: InvalidOperationException"),
            new("run-1", T0.AddSeconds(3), RunStatus.Running, 2, "worker-b", null),
            new("run-1", T0.AddSeconds(4), RunStatus.Succeeded, 2, "worker-b", null),
        ];

        foreach (var e in events)
        {
            await Store.SaveRunAsync(run with { Status = e.Status, Attempt = e.Attempt }, [e]);
        }
        // A save without a transition (a progress update) adds nothing to the history.
        await Store.SaveRunAsync(run with { Status = RunStatus.Succeeded, Progress = new RunProgress(1, 1, null, T0) }, []);

        Assert.Equal(events, await Store.GetHistoryAsync("run-1"));
        Assert.Equal(RunStatus.Succeeded, (await Store.GetRunAsync("run-1"))!.Status);
    }

    [Fact]
    public async Task GetHistory_KeepsEachRunsEventsApart()
    {
        var one = new RunEvent("run-1", T0, RunStatus.Pending, 0, null, null);
        var two = new RunEvent("run-2", T0, RunStatus.Pending, 0, null, null);

        await Store.SaveRunAsync(NewRun("run-1"), [one]);
        await Store.SaveRunAsync(NewRun("run-2"), [two]);

        Assert.Equal([one], await Store.GetHistoryAsync("run-1"));
        Assert.Equal([two], await Store.GetHistoryAsync("run-2"));
        Assert.Empty(await Store.GetHistoryAsync("run-3"));
    }

    // ------------------------------------------------------------ logs

    [Fact]
    public async Task GetLogs_PagesByAfterSequenceAndLimit()
    {
        var lines = Enumerable.Range(1, 10)
            .Select(i => new RunLogLine("run-1", i, T0.AddMilliseconds(i), (LogLevel)(i % 6), $"line {i}", 1 + i / 6))
            .ToArray();

        await Store.AppendLogsAsync(lines[..5]);
        await Store.AppendLogsAsync(lines[5..]);
        await Store.AppendLogsAsync([new RunLogLine("run-2", 1, T0, LogLevel.Error, "another run", 1)]);

        Assert.Equal(lines, await Store.GetLogsAsync("run-1"));
        Assert.Equal(lines[3..7], await Store.GetLogsAsync("run-1", afterSequence: 3, limit: 4));
        Assert.Equal(lines[8..], await Store.GetLogsAsync("run-1", afterSequence: 8));
        Assert.Empty(await Store.GetLogsAsync("run-1", afterSequence: 10));
        Assert.Empty(await Store.GetLogsAsync("run-3"));
    }

    [Fact]
    public async Task AppendLogs_LineSentTwice_IsStoredOnce()
    {
        var line = new RunLogLine("run-1", 1, T0, LogLevel.Information, "epoch 1", 1);
        var next = new RunLogLine("run-1", 2, T0, LogLevel.Information, "epoch 2", 1);

        await Store.AppendLogsAsync([line]);
        await Store.AppendLogsAsync([line, next]);

        Assert.Equal([line, next], await Store.GetLogsAsync("run-1"));
    }

    [Fact]
    public async Task AppendLogs_KeepsLongAndUnicodeMessages()
    {
        var line = new RunLogLine("run-1", 1, T0, LogLevel.Warning, "loss ↓ 0.12 — ✓ " + new string('x', 100_000), 1);

        await Store.AppendLogsAsync([line]);

        Assert.Equal([line], await Store.GetLogsAsync("run-1"));
    }

    // ------------------------------------------------------------ metrics

    [Fact]
    public async Task GetMetrics_ReturnsTheRunsPointsInWriteOrder()
    {
        MetricPoint[] points =
        [
            new("run-1", "loss", 1, 0.9, T0),
            new("run-1", "accuracy", 1, 0.5, T0),
            new("run-1", "loss", 2, double.NaN, T0.AddSeconds(1)),
            new("run-1", "loss", 3, double.PositiveInfinity, T0.AddSeconds(2)),
            new("run-1", "loss", 4, -1.25e-300, T0.AddSeconds(3)),
        ];

        await Store.AppendMetricsAsync(points[..2]);
        await Store.AppendMetricsAsync(points[2..]);
        await Store.AppendMetricsAsync([new MetricPoint("run-2", "loss", 1, 7, T0)]);

        Assert.Equal(points, await Store.GetMetricsAsync("run-1"));
        Assert.Empty(await Store.GetMetricsAsync("run-3"));
    }

    // ------------------------------------------------------------ cache

    [Fact]
    public async Task GetCached_UnknownKey_ReturnsNull()
    {
        await PutCachedAsync(new CacheEntry("key-1", "tname:train_model:1.2.0", "1", "run-1", T0));

        Assert.Null(await Store.GetCachedAsync("key-2"));
    }

    [Fact]
    public async Task SaveRun_WithACacheEntry_StoresBothInOneWrite()
    {
        var run = NewRun("run-1", status: RunStatus.Succeeded) with { OutputJson = """{"accuracy":0.9}""" };
        var entry = new CacheEntry("train_model:1.2.0:cd34", run.RoutineId, run.OutputJson!, run.RunId, T0);

        await Store.SaveRunAsync(run, [], entry);

        Assert.Equal(entry, await Store.GetCachedAsync(entry.Key));
        Assert.Equal(RunStatus.Succeeded, (await Store.GetRunAsync("run-1"))?.Status);
    }

    [Fact]
    public async Task CacheEntry_SameKeyAgain_ReplacesTheEntry()
    {
        var first = new CacheEntry("key-1", "tname:train_model:1.2.0", "1", "run-1", T0);
        var second = new CacheEntry("key-1", "tname:train_model:1.2.0", "2", "run-2", T0.AddMinutes(1));

        await PutCachedAsync(first);
        await PutCachedAsync(second);

        Assert.Equal(second, await Store.GetCachedAsync("key-1"));
    }

    /// <summary>A cache entry goes in with its run's Succeeded record, as the run grain writes it.</summary>
    Task PutCachedAsync(CacheEntry entry)
        => Store.SaveRunAsync(NewRun(entry.RunId, status: RunStatus.Succeeded) with { OutputJson = entry.OutputJson }, [], entry);

    // ------------------------------------------------------------ unfinished and children

    [Fact]
    public async Task ListUnfinishedRuns_ReturnsPendingAndRunningOldestFirst()
    {
        await SaveAllAsync(
            NewRun("run-c", created: T0.AddSeconds(3), status: RunStatus.Running),
            NewRun("run-a", created: T0.AddSeconds(1), status: RunStatus.Pending),
            NewRun("run-b", created: T0.AddSeconds(1), status: RunStatus.Running),
            NewRun("run-d", created: T0.AddSeconds(2), status: RunStatus.Succeeded),
            NewRun("run-e", created: T0, status: RunStatus.Failed),
            NewRun("run-f", created: T0, status: RunStatus.Cancelled),
            NewRun("run-g", created: T0, status: RunStatus.TimedOut));

        var unfinished = await Store.ListUnfinishedRunsAsync();

        Assert.Equal(["run-a", "run-b", "run-c"], Ids(unfinished));
    }

    [Fact]
    public async Task OldestUnfinishedCreatedAt_IsThatOfTheOldestPendingOrRunningRun_OrNullWhenAllFinished()
    {
        Assert.Null(await Store.OldestUnfinishedCreatedAtAsync());
        await SaveAllAsync(
            NewRun("run-old-done", created: T0, status: RunStatus.Succeeded),
            NewRun("run-running", created: T0.AddSeconds(5), status: RunStatus.Running),
            NewRun("run-done", created: T0.AddSeconds(1), status: RunStatus.Failed));
        Assert.Equal(T0.AddSeconds(5), await Store.OldestUnfinishedCreatedAtAsync());

        await SaveAllAsync(NewRun("run-pending", created: T0.AddSeconds(2), status: RunStatus.Pending));

        Assert.Equal(T0.AddSeconds(2), await Store.OldestUnfinishedCreatedAtAsync());
    }

    [Fact]
    public async Task ListChildren_ReturnsDirectChildrenInCreationOrder()
    {
        await SaveAllAsync(
            NewRun("wf", name: "pick", created: T0),
            NewRun("wf/2", name: "train", created: T0.AddSeconds(2), parent: "wf", root: "wf"),
            NewRun("wf/1b", name: "train", created: T0.AddSeconds(1), parent: "wf", root: "wf"),
            NewRun("wf/1a", name: "train", created: T0.AddSeconds(1), parent: "wf", root: "wf"),
            NewRun("wf/1a/1", name: "train", created: T0.AddSeconds(1), parent: "wf/1a", root: "wf"),
            NewRun("other/1", name: "train", created: T0, parent: "other", root: "other"));

        Assert.Equal(["wf/1a", "wf/1b", "wf/2"], Ids(await Store.ListChildrenAsync("wf")));
        Assert.Equal(["wf/1a/1"], Ids(await Store.ListChildrenAsync("wf/1a")));
        Assert.Empty(await Store.ListChildrenAsync("wf/2"));
    }

    [Fact]
    public async Task ListUnfinishedChildren_ReturnsTheIdsOfDirectChildrenStillPendingOrRunning()
    {
        await SaveAllAsync(
            NewRun("wf", name: "pick", created: T0, status: RunStatus.Succeeded),
            NewRun("wf/done", name: "train", created: T0, parent: "wf", root: "wf", status: RunStatus.Succeeded),
            NewRun("wf/failed", name: "train", created: T0, parent: "wf", root: "wf", status: RunStatus.Failed),
            NewRun("wf/pending", name: "train", created: T0, parent: "wf", root: "wf", status: RunStatus.Pending),
            NewRun("wf/running", name: "train", created: T0, parent: "wf", root: "wf", status: RunStatus.Running),
            NewRun("wf/running/1", name: "train", created: T0, parent: "wf/running", root: "wf", status: RunStatus.Running),
            NewRun("other/1", name: "train", created: T0, parent: "other", root: "other", status: RunStatus.Running));

        Assert.Equal(["wf/pending", "wf/running"], (await Store.ListUnfinishedChildrenAsync("wf")).Order());
        Assert.Equal(["wf/running/1"], await Store.ListUnfinishedChildrenAsync("wf/running"));
        Assert.Empty(await Store.ListUnfinishedChildrenAsync("wf/done"));
    }

    // ------------------------------------------------------------ listing runs

    [Fact]
    public async Task ListRuns_WithoutFilter_ReturnsAllNewestFirst()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter());

        Assert.Equal(["wf-child-2", "wf-child-1", "wf-root", "run-b1", "run-a2", "run-a1"], Ids(page.Runs));
        Assert.Equal(6, page.Total);
    }

    [Fact]
    public async Task ListRuns_SameCreationTime_OrdersByRunIdDescending()
    {
        await SaveAllAsync(NewRun("run-b", created: T0), NewRun("run-c", created: T0), NewRun("run-a", created: T0));

        var page = await Store.ListRunsAsync(new RunFilter());

        Assert.Equal(["run-c", "run-b", "run-a"], Ids(page.Runs));
    }

    [Fact]
    public async Task ListRuns_ByStatus_ReturnsOnlyThatStatus()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter { Status = RunStatus.Running });

        Assert.Equal(["wf-root", "run-b1"], Ids(page.Runs));
        Assert.Equal(2, page.Total);
    }

    [Fact]
    public async Task ListRuns_ByRoutineName_ReturnsAllVersionsOfIt()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter { RoutineName = "train_model" });

        Assert.Equal(["wf-child-1", "run-a2", "run-a1"], Ids(page.Runs));
        Assert.Equal(["1.2.0", "1.1.0", "1.2.0"], page.Runs.Select(r => r.RoutineVersion));
        Assert.Equal(3, page.Total);
    }

    [Fact]
    public async Task ListRuns_RootsOnly_LeavesOutChildren()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter { RootsOnly = true });

        Assert.Equal(["wf-root", "run-b1", "run-a2", "run-a1"], Ids(page.Runs));
        Assert.Equal(4, page.Total);
    }

    [Fact]
    public async Task ListRuns_ByRootRunId_ReturnsTheWholeTree()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter { RootRunId = "wf-root" });

        Assert.Equal(["wf-child-2", "wf-child-1", "wf-root"], Ids(page.Runs));
        Assert.Equal(3, page.Total);
    }

    [Fact]
    public async Task ListRuns_ByCreatedRange_IncludesAfterAndExcludesBefore()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter
        {
            CreatedAfter = T0.AddMinutes(2),
            CreatedBefore = T0.AddMinutes(5),
        });

        Assert.Equal(["wf-root", "run-b1", "run-a2"], Ids(page.Runs));
        Assert.Equal(3, page.Total);
    }

    [Fact]
    public async Task ListRuns_ByCreatedRange_ComparesInstantsNotOffsets()
    {
        await SeedRunsAsync();
        var offset = TimeSpan.FromHours(-7);

        var page = await Store.ListRunsAsync(new RunFilter { CreatedAfter = T0.AddMinutes(4).ToOffset(offset) });

        Assert.Equal(["wf-child-2", "wf-child-1", "wf-root"], Ids(page.Runs));
    }

    [Fact]
    public async Task ListRuns_SearchByTheStartOfAnId_IgnoresCase()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter { Search = "WF-CH" });

        Assert.Equal(["wf-child-2", "wf-child-1"], Ids(page.Runs));
        Assert.Equal(2, page.Total);
        Assert.Empty((await Store.ListRunsAsync(new RunFilter { Search = "child" })).Runs); // the middle of an id is not its start
    }

    [Fact]
    public async Task ListRuns_SearchByRoutineName_IgnoresCase()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter { Search = "Evaluate" });

        Assert.Equal(["wf-child-2", "run-b1"], Ids(page.Runs));
        Assert.Equal(2, page.Total);
    }

    [Fact]
    public async Task ListRuns_Search_TreatsWildcardCharactersLiterally()
    {
        await SaveAllAsync(
            NewRun("run-1", name: "100%_sure", created: T0),
            NewRun("run-2", name: "100x", created: T0.AddSeconds(1)),
            NewRun("run-3", name: "a_b", created: T0.AddSeconds(2)),
            NewRun("run-4", name: "axb", created: T0.AddSeconds(3)));

        Assert.Equal(["run-1"], Ids((await Store.ListRunsAsync(new RunFilter { Search = "%" })).Runs));
        Assert.Equal(["run-3", "run-1"], Ids((await Store.ListRunsAsync(new RunFilter { Search = "_" })).Runs));
        Assert.Equal(["run-3"], Ids((await Store.ListRunsAsync(new RunFilter { Search = "a_b" })).Runs));
    }

    [Fact]
    public async Task ListRuns_SkipAndTake_PageThroughTheFilteredRuns()
    {
        await SeedRunsAsync();

        var first = await Store.ListRunsAsync(new RunFilter { Take = 2 });
        var second = await Store.ListRunsAsync(new RunFilter { Skip = 2, Take = 2 });
        var last = await Store.ListRunsAsync(new RunFilter { Skip = 4, Take = 5 });
        var beyond = await Store.ListRunsAsync(new RunFilter { Skip = 6, Take = 5 });
        var countOnly = await Store.ListRunsAsync(new RunFilter { Take = 0 });

        Assert.Equal(["wf-child-2", "wf-child-1"], Ids(first.Runs));
        Assert.Equal(["wf-root", "run-b1"], Ids(second.Runs));
        Assert.Equal(["run-a2", "run-a1"], Ids(last.Runs));
        Assert.Empty(beyond.Runs);
        Assert.Empty(countOnly.Runs);
        Assert.All([first, second, last, beyond, countOnly], page => Assert.Equal(6, page.Total));
    }

    [Fact]
    public async Task ListRuns_CombinedFilters_MatchAllOfThem()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter
        {
            RoutineName = "train_model",
            Status = RunStatus.Succeeded,
            RootsOnly = true,
            Search = "RUN-A",
            CreatedAfter = T0,
            CreatedBefore = T0.AddHours(1),
        });

        Assert.Equal(["run-a1"], Ids(page.Runs));
        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task ListRuns_NothingMatches_ReturnsAnEmptyPage()
    {
        await SeedRunsAsync();

        var page = await Store.ListRunsAsync(new RunFilter { RoutineName = "no_such_routine" });

        Assert.Empty(page.Runs);
        Assert.Equal(0, page.Total);
    }

    // ------------------------------------------------------------ concurrency

    [Fact]
    public async Task ManyConcurrentSaves_AreAllDurable()
    {
        const int count = 2_000;
        var runs = Enumerable.Range(0, count)
            .Select(i => NewRun($"run-{i:D5}", created: T0.AddMilliseconds(i), status: (RunStatus)(i % 6)))
            .ToArray();

        await Task.WhenAll(runs.Select(run => Task.Run(() =>
            Store.SaveRunAsync(run, [new RunEvent(run.RunId, run.CreatedAt, run.Status, 0, null, "submitted")]))));

        var all = await Store.ListRunsAsync(new RunFilter { Take = count });
        Assert.Equal(count, all.Total);
        Assert.Equal(Ids(Enumerable.Reverse(runs)), Ids(all.Runs));
        foreach (var run in runs)
        {
            AssertSameRun(run, await Store.GetRunAsync(run.RunId));
            Assert.Single(await Store.GetHistoryAsync(run.RunId));
        }
    }

    /// <summary>A store may write a lone save and a batch of saves differently (PostgreSQL does); both keep every field.</summary>
    [Fact]
    public async Task SaveRun_AloneOrAmongManyAtOnce_KeepsEveryField()
    {
        var alone = FullRun("run-alone");
        await Store.SaveRunAsync(alone, [new RunEvent(alone.RunId, T0, RunStatus.Failed, 2, "worker-7f9c", "attempt 2 failed")]);
        var many = Enumerable.Range(0, 50).Select(i => FullRun($"run-{i:D2}") with { Attempt = i }).ToArray();

        await Task.WhenAll(many.Select(run => Store.SaveRunAsync(run, [new RunEvent(run.RunId, T0, run.Status, run.Attempt, run.Worker, $"attempt {run.Attempt}")])));

        foreach (var run in many.Prepend(alone))
        {
            AssertSameRun(run, await Store.GetRunAsync(run.RunId));
            Assert.Equal(run.Attempt, Assert.Single(await Store.GetHistoryAsync(run.RunId)).Attempt);
        }
    }

    [Fact]
    public async Task ConcurrentWritesOfEveryKind_AreAllDurable()
    {
        var writes = Enumerable.Range(0, 200).SelectMany(i => new[]
        {
            Store.SaveRunAsync(NewRun($"run-{i}"), [], new CacheEntry($"key-{i}", "tname:t:1.0.0", $"{i}", $"run-{i}", T0)),
            Store.AppendLogsAsync([new RunLogLine($"run-{i}", 1, T0, LogLevel.Information, $"log {i}", 1)]),
            Store.AppendMetricsAsync([new MetricPoint($"run-{i}", "loss", 1, i, T0)]),
        });

        await Task.WhenAll(writes);

        for (var i = 0; i < 200; i++)
        {
            Assert.NotNull(await Store.GetRunAsync($"run-{i}"));
            Assert.Equal($"log {i}", Assert.Single(await Store.GetLogsAsync($"run-{i}")).Message);
            Assert.Equal(i, Assert.Single(await Store.GetMetricsAsync($"run-{i}")).Value);
            Assert.Equal($"{i}", (await Store.GetCachedAsync($"key-{i}"))!.OutputJson);
        }
    }

    /// <summary>
    /// The counts a store keeps by status, routine and roots (PostgreSQL: by its writer and a trigger) agree with the runs
    /// themselves after concurrent saves, status changes in batches and removals; a time range, not kept, counts the rows.
    /// </summary>
    [Fact]
    public async Task ListRuns_KeptCounts_FollowEveryStatusChangeAndRemoval()
    {
        string[] names = ["train_model", "evaluate_model", "load_dataset"];
        var runs = Enumerable.Range(0, 300).Select(i => NewRun($"run-{i:D3}", name: names[i % 3], created: T0.AddSeconds(i),
            parent: i % 4 == 0 ? null : "run-000", root: i % 4 == 0 ? null : "run-000")).ToArray();
        async Task MoveAsync(Func<int, RunStatus> status) => await Task.WhenAll(runs.Select((run, i) =>
            Store.SaveRunAsync(runs[i] = run with { Status = status(i) }, [])));

        await MoveAsync(_ => RunStatus.Pending);
        await MoveAsync(i => i % 5 == 0 ? RunStatus.Pending : RunStatus.Running);
        await MoveAsync(i => (RunStatus)(i % 6));
        await Store.RemoveRunsAsync([.. runs.Where((_, i) => i % 7 == 0).Select(r => r.RunId)], T0);

        foreach (var status in (RunStatus?[])[null, .. Enum.GetValues<RunStatus>().Select(s => (RunStatus?)s)])
        foreach (var name in (string?[])[null, .. names])
        foreach (var rootsOnly in (bool[])[false, true])
        {
            var kept = new RunFilter { Status = status, RoutineName = name, RootsOnly = rootsOnly, Take = 0 };
            var expected = runs.Where((r, i) => i % 7 != 0 && (status is null || r.Status == status) && (name is null || r.RoutineName == name)
                                                && (!rootsOnly || r.ParentRunId is null)).Count();
            Assert.Equal((expected, false), Count(await Store.ListRunsAsync(kept)));
            Assert.Equal((expected, false), Count(await Store.ListRunsAsync(kept with { CreatedAfter = T0.AddYears(-1) })));
        }

        static (int, bool) Count(RunPage page)
        {
            Assert.Empty(page.Runs); // Take = 0 asks for the count only
            return (page.Total, page.TotalIsLowerBound);
        }
    }

    /// <summary>A filter the store keeps no count for is counted up to the limit and then says "at least".</summary>
    [Fact]
    public async Task ListRuns_PastTheCountLimit_SaysAtLeastAndStillPages()
    {
        const int count = RunPage.CountLimit + 10;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Store.SaveRunAsync(NewRun($"run-{i:D5}", created: T0.AddSeconds(i)), [])));

        var ranged = await Store.ListRunsAsync(new RunFilter { CreatedAfter = T0, Take = 5 });
        Assert.Equal((RunPage.CountLimit, true), (ranged.Total, ranged.TotalIsLowerBound));
        Assert.Equal(["run-10009", "run-10008", "run-10007", "run-10006", "run-10005"], Ids(ranged.Runs));

        var beyond = await Store.ListRunsAsync(new RunFilter { Search = "RUN-", Skip = RunPage.CountLimit + 5, Take = 10 });
        Assert.Equal((RunPage.CountLimit, true), (beyond.Total, beyond.TotalIsLowerBound));
        Assert.Equal(["run-00004", "run-00003", "run-00002", "run-00001", "run-00000"], Ids(beyond.Runs));

        var exact = await Store.ListRunsAsync(new RunFilter { RoutineName = "train_model", Take = 1 });
        Assert.Equal((count, false), (exact.Total, exact.TotalIsLowerBound));
        var fewer = await Store.ListRunsAsync(new RunFilter { CreatedBefore = T0.AddSeconds(RunPage.CountLimit), Take = 1 });
        Assert.Equal((RunPage.CountLimit, false), (fewer.Total, fewer.TotalIsLowerBound));
    }

    // ------------------------------------------------------------ helpers

    /// <summary>
    /// Six runs: three roots of two routines, and a workflow with two children.
    /// Created one minute apart, in this order: run-a1, run-a2, run-b1, wf-root, wf-child-1, wf-child-2.
    /// </summary>
    private Task SeedRunsAsync() => SaveAllAsync(
        NewRun("run-a1", name: "train_model", created: T0.AddMinutes(1), status: RunStatus.Succeeded),
        NewRun("run-a2", name: "train_model", version: "1.1.0", created: T0.AddMinutes(2), status: RunStatus.Failed),
        NewRun("run-b1", name: "evaluate_model", created: T0.AddMinutes(3), status: RunStatus.Running),
        NewRun("wf-root", name: "train_and_pick", created: T0.AddMinutes(4), status: RunStatus.Running),
        NewRun("wf-child-1", name: "train_model", created: T0.AddMinutes(5), parent: "wf-root", root: "wf-root"),
        NewRun("wf-child-2", name: "evaluate_model", created: T0.AddMinutes(6), status: RunStatus.Succeeded,
            parent: "wf-root", root: "wf-root"));

    private async Task SaveAllAsync(params RunInfo[] runs)
    {
        foreach (var run in runs) await Store.SaveRunAsync(run, []);
    }

    // ------------------------------------------------------------ retention

    /// <summary>
    /// The sweep removes what its policy says and nothing of a tree that has not ended (a workflow's replay reads its
    /// children), walking the old runs in batches, and remembers each removal.
    /// </summary>
    [Fact]
    public async Task RetentionSweep_RemovesFinishedRunsOfEndedTreesPastTheirAge_WithWhatTheyOwn_AndRemembersWhen()
    {
        var now = T0.AddDays(100);
        RunInfo Finished(string id, RunStatus status, DateTimeOffset finished, string? root = null)
            => NewRun(id, created: finished.AddMinutes(-1), status: status, parent: root, root: root) with { FinishedAt = finished };
        RunInfo[] gone =
        [
            Finished("old-root", RunStatus.Succeeded, T0),                              // a root, past 90 days
            Finished("old-root.1", RunStatus.Succeeded, T0.AddMinutes(-1), "old-root"),
            Finished("old-root.2", RunStatus.Failed, T0.AddMinutes(-1), "old-root"),     // past 90 days too
            Finished("recent-root.1", RunStatus.Succeeded, now.AddDays(-20), "recent-root"), // a succeeded child past 14 days
            Finished("orphan.1", RunStatus.Succeeded, T0, "orphan"),                     // its root is gone already
        ];
        RunInfo[] kept =
        [
            Finished("recent-root", RunStatus.Succeeded, now.AddDays(-30)),               // a root within 90 days
            Finished("recent-root.2", RunStatus.Failed, now.AddDays(-20), "recent-root"), // a failed child within 90 days
            NewRun("running-root", created: T0, status: RunStatus.Running),              // a tree still running...
            Finished("running-root.1", RunStatus.Succeeded, T0, "running-root"),          // ...keeps its old children
            NewRun("pending-root", created: T0, status: RunStatus.Pending),
            Finished("young.1", RunStatus.Succeeded, now.AddDays(-1), "young"),
        ];
        foreach (var run in gone.Concat(kept)) await Store.SaveRunAsync(run, [new RunEvent(run.RunId, run.CreatedAt, run.Status, 1, null, "saved")]);
        await Store.AppendLogsAsync([new RunLogLine("old-root.1", 1, T0, LogLevel.Information, "trained", 1)]);
        await Store.AppendMetricsAsync([new MetricPoint("old-root.1", "loss", 1, 0.5, T0)]);

        var sweep = new Routines.Silo.Runs.RetentionSweep(Store, new Routines.Silo.Runs.RetentionOptions { BatchSize = 2 }, new FixedNow(now),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Routines.Silo.Runs.RetentionSweep>.Instance);
        Assert.Equal(gone.Length, await sweep.RunAsync(CancellationToken.None));

        foreach (var run in gone)
        {
            Assert.Null(await Store.GetRunAsync(run.RunId));
            Assert.Empty(await Store.GetHistoryAsync(run.RunId));
            Assert.Equal(now, await Store.GetRemovedAtAsync(run.RunId));
        }

        Assert.Empty(await Store.GetLogsAsync("old-root.1"));
        Assert.Empty(await Store.GetMetricsAsync("old-root.1"));
        foreach (var run in kept)
        {
            Assert.NotNull(await Store.GetRunAsync(run.RunId));
            Assert.Single(await Store.GetHistoryAsync(run.RunId));
            Assert.Null(await Store.GetRemovedAtAsync(run.RunId));
        }

        Assert.Equal(0, await sweep.RunAsync(CancellationToken.None)); // a second pass finds nothing more
        await Store.ForgetRemovedAsync(now.AddSeconds(1));
        Assert.Null(await Store.GetRemovedAtAsync("old-root")); // removals are remembered only so long
    }

    /// <summary>A clock that reads a fixed instant; its timers are the system's.</summary>
    private sealed class FixedNow(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private protected static RunInfo NewRun(
        string id, string name = "train_model", string version = "1.2.0", DateTimeOffset? created = null,
        RunStatus status = RunStatus.Pending, string? parent = null, string? root = null) => new()
    {
        RunId = id,
        RoutineId = $"tname:{name}:{version}",
        RoutineName = name,
        RoutineVersion = version,
        Kind = RoutineKind.Task,
        Status = status,
        InputJson = """{"learningRate":0.1}""",
        ParentRunId = parent,
        RootRunId = root ?? id,
        CreatedAt = created ?? T0,
    };

    /// <summary>A run with every field set to a value other than its default.</summary>
    private static RunInfo FullRun(string id) => new()
    {
        RunId = id,
        RoutineId = "wfname:train_and_pick:3",
        RoutineName = "train_and_pick",
        RoutineVersion = "3",
        Kind = RoutineKind.Workflow,
        Status = RunStatus.Failed,
        Attempt = 2,
        MaxAttempts = 3,
        InputJson = """{"rates":[0.1,0.01],"epochs":3,"note":"ünïcødé ✓"}""",
        OutputJson = """{"partial":true}""",
        Error = new RunError(
            "Routines.RoutineFailedException", "train_model failed in run wf/1", "   at TrainAndPick.RunAsync()",
            new RunError(
                "Routines.RoutineFailedException", "train_model failed", "   at TrainModel.RunAsync()",
                new RunError("System.InvalidOperationException", "loss is NaN"),
                RunId: "wf/1/1", RoutineId: "tname:train_model:1.2.0"),
            RunId: "wf/1", RoutineId: "tname:train_model:1.2.0"),
        ParentRunId = "root",
        RootRunId = "root",
        CreatedAt = T0.ToOffset(TimeSpan.FromHours(2)),
        StartedAt = T0.AddSeconds(1),
        FinishedAt = T0.AddMinutes(3).AddMilliseconds(7),
        Worker = "worker-7f9c",
        CachedFromRunId = "run-earlier",
        WaitReason = "No free slot on workers offering train_and_pick@3.",
        Progress = new RunProgress(3, 10, "epoch 3", T0.AddMinutes(2)),
        ParentAttempt = 4,
        Options = new CallOptions
        {
            Retry = new RetryPolicy
            {
                MaxAttempts = 5,
                InitialDelay = TimeSpan.FromMilliseconds(250),
                BackoffCoefficient = 1.5,
                MaxDelay = TimeSpan.FromSeconds(30),
                NonRetryableErrors = ["System.ArgumentException"],
            },
            Timeout = TimeSpan.FromMinutes(90),
            UseCache = false,
        },
        Policy = new RunPolicy(new RetryPolicy { MaxAttempts = 5, InitialDelay = TimeSpan.FromMilliseconds(250), MaxWorkerLosses = 7,
            NonRetryableErrors = ["System.ArgumentException"] }, TimeSpan.FromMinutes(90), Cache: false, ExecutionPolicy.PreferLocal),
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        Cause = new RunCause("evaluate_after_training", "run-7", "train_model", RunStatus.TimedOut),
    };

    private static IEnumerable<string> Ids(IEnumerable<RunInfo> runs) => runs.Select(r => r.RunId);

    private static void AssertSameRun(RunInfo expected, RunInfo? actual)
    {
        Assert.NotNull(actual);
        // Call options hold a list, which record equality compares by reference: compare them as JSON instead.
        Assert.Equal(JsonSerializer.Serialize(expected.Options), JsonSerializer.Serialize(actual.Options));
        Assert.Equal(JsonSerializer.Serialize(expected.Policy), JsonSerializer.Serialize(actual.Policy));
        Assert.Equal(expected with { Options = null, Policy = null }, actual with { Options = null, Policy = null });
    }
}
