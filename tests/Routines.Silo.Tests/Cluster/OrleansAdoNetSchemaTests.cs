using System.Data;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Tests.Fixtures;
using Routines.Silo.Hosting;

namespace Routines.Silo.Tests.Cluster;

/// <summary>
/// The project's own Orleans schema (0002_orleans_clustering.sql, 0003_orleans_reminders.sql) against the real
/// Orleans 10 ADO.NET providers and a real PostgreSQL server: silos join and leave through the membership table, a
/// client finds a gateway through it, dead silos are pruned, and reminders round-trip through the reminders table.
/// </summary>
[Collection("postgres")]
public sealed class OrleansAdoNetSchemaTests(PostgresFixture postgres)
{
    // Orleans' SiloStatus values as the membership table stores them.
    const int Active = 3;
    const int Dead = 6;

    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Every key Orleans 10.4 reads from OrleansQuery (CleanupDefunctSiloEntryKey is the one optional key).</summary>
    static readonly string[] QueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey",
        "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey",
        "ReadReminderRowsKey", "UpsertReminderRowKey",
    ];

    [Fact]
    public async Task TwoSilos_SeeEachOtherActive_AndAClientCallsAGrainThroughTheGateway()
    {
        var database = await MigratedDatabaseAsync();
        var cluster = NewClusterId();
        await using var first = await RunningSilo.StartAsync(database, cluster);
        await using var second = await RunningSilo.StartAsync(database, cluster);

        SiloAddress[] both = [first.Address, second.Address];
        await WaitForAsync(() => Task.FromResult(first.ActiveSilos().SetEquals(both) && second.ActiveSilos().SetEquals(both)),
            "both silos to see both silos Active");
        Assert.Equal([Active, Active], await StatusesAsync(database, cluster, first.Address, second.Address));

        await using var client = await RunningClient.StartAsync(database, cluster);
        var echo = client.Client.GetGrain<IEchoGrain>("schema-test");
        Assert.Equal("hello", await echo.EchoAsync("hello"));
    }

    [Fact]
    public async Task StoppedSilo_IsMarkedDead_AndDeadRowsArePruned()
    {
        var database = await MigratedDatabaseAsync();
        var cluster = NewClusterId();
        await using var first = await RunningSilo.StartAsync(database, cluster);
        await using var second = await RunningSilo.StartAsync(database, cluster);
        SiloAddress[] both = [first.Address, second.Address];
        await WaitForAsync(() => Task.FromResult(first.ActiveSilos().SetEquals(both)), "the first silo to see both silos Active");

        await second.StopAsync();

        await WaitForAsync(async () => (await StatusesAsync(database, cluster, second.Address))[0] == Dead,
            "the stopped silo's row to say Dead");
        await WaitForAsync(() => Task.FromResult(first.ActiveSilos().SetEquals([first.Address])),
            "the remaining silo to drop the stopped one from its Active view");

        // Orleans 10.4 prunes through the captured-row query (CleanupDefunctSiloEntryKey): the Dead row goes, the Active stays.
        var table = first.Services.GetRequiredService<IMembershipTable>();
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal([Active, null], await StatusesAsync(database, cluster, first.Address, second.Address));

        // The set-based CleanupDefunctSiloEntriesKey (required by the provider, used by providers without the captured
        // form), run with the parameters Orleans binds, prunes the last silo once it too has stopped.
        await first.StopAsync();
        await WaitForAsync(async () => (await StatusesAsync(database, cluster, first.Address))[0] == Dead,
            "the last silo's row to say Dead");
        await RunStoredQueryAsync(database, "CleanupDefunctSiloEntriesKey",
            ("DeploymentId", DbType.String, cluster), ("IAmAliveTime", DbType.DateTime, DateTime.UtcNow.AddMinutes(1)));
        Assert.Equal([null, null], await StatusesAsync(database, cluster, first.Address, second.Address));
    }

    [Fact]
    public async Task Reminder_IsStoredReadAndRemovedThroughTheRemindersTable()
    {
        var database = await MigratedDatabaseAsync();
        var cluster = NewClusterId();
        await using var silo = await RunningSilo.StartAsync(database, cluster, reminders: true);
        var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IReminderProbeGrain>("nightly-schedule");

        await grain.RegisterAsync("tick");
        Assert.Equal((60_000L, 0), await ReminderRowAsync(database, cluster, "tick"));

        await grain.RegisterAsync("tick"); // re-registering updates the row and moves its etag
        Assert.Equal((60_000L, 1), await ReminderRowAsync(database, cluster, "tick"));
        Assert.True(await grain.HasReminderAsync("tick"));
        Assert.Equal(["tick"], await grain.ReminderNamesAsync());

        await grain.UnregisterAsync("tick");
        Assert.Null(await ReminderRowAsync(database, cluster, "tick"));
        Assert.False(await grain.HasReminderAsync("tick"));
        Assert.Empty(await grain.ReminderNamesAsync());
    }

    [Fact]
    public async Task MembershipTable_AppliesOnlyWritesMadeAgainstTheCurrentVersion()
    {
        var database = await MigratedDatabaseAsync();
        var cluster = NewClusterId();
        var table = new AdoNetClusteringTable(new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = cluster, ServiceId = cluster }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = "Npgsql", ConnectionString = database }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true); // a second silo finds the version row made

        var start = await table.ReadAllAsync();
        Assert.Empty(start.Members);
        Assert.Equal(0, start.Version.Version);

        var silo = Entry(30001, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(silo, start.Version.Next()));
        Assert.False(await table.InsertRowAsync(Entry(30002, SiloStatus.Joining), start.Version.Next())); // stale version
        var one = await table.ReadAllAsync();
        Assert.Equal(1, one.Version.Version);
        Assert.Equal([silo.SiloAddress], one.Members.Select(m => m.Item1.SiloAddress));

        // Writes that cannot apply leave the version where it was, even after it was already bumped inside the query.
        Assert.False(await table.InsertRowAsync(Entry(30001, SiloStatus.Joining), one.Version.Next())); // row exists
        Assert.False(await table.UpdateRowAsync(Entry(30003, SiloStatus.Active), one.Version.VersionEtag, one.Version.Next())); // no row
        Assert.Equal(1, (await table.ReadAllAsync()).Version.Version);

        var voter = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 30009), 7);
        silo.Status = SiloStatus.Dead;
        silo.SuspectTimes = [Tuple.Create(voter, Millis(DateTime.UtcNow))];
        Assert.True(await table.UpdateRowAsync(silo, one.Version.VersionEtag, one.Version.Next()));
        var row = await table.ReadRowAsync(silo.SiloAddress);
        Assert.Equal(2, row.Version.Version);
        var stored = Assert.Single(row.Members).Item1;
        Assert.Equal(SiloStatus.Dead, stored.Status);
        Assert.Equal(silo.SuspectTimes, stored.SuspectTimes);
        Assert.Equal((silo.SiloName, silo.HostName, silo.ProxyPort, silo.StartTime), (stored.SiloName, stored.HostName, stored.ProxyPort, stored.StartTime));
        Assert.Empty((await table.ReadRowAsync(voter)).Members); // an unknown silo reads as the version alone

        silo.IAmAliveTime = Millis(DateTime.UtcNow.AddSeconds(5));
        await table.UpdateIAmAliveAsync(silo);
        Assert.Equal(silo.IAmAliveTime, Assert.Single((await table.ReadRowAsync(silo.SiloAddress)).Members).Item1.IAmAliveTime);

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1)); // a Dead row with a suspicion vote
        Assert.Empty((await table.ReadAllAsync()).Members);

        await table.DeleteMembershipTableEntriesAsync(cluster);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @cluster", connection);
        count.Parameters.AddWithValue("cluster", cluster);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ReminderTable_ReadsByGrainByRingRangeAndHonoursEtags()
    {
        var database = await MigratedDatabaseAsync();
        var cluster = NewClusterId();
        await using var silo = await RunningSilo.StartAsync(database, cluster, reminders: true);
        var table = silo.Services.GetRequiredService<IReminderTable>();
        var grains = Enumerable.Range(1, 3).Select(i => GrainId.Create("reminder-probe", $"grain-{i}")).ToArray();
        var startAt = Millis(DateTime.UtcNow.AddHours(1));
        var period = TimeSpan.FromDays(30); // more milliseconds than an int holds: Orleans then binds a bigint
        foreach (var grain in grains)
        {
            Assert.Equal("0", await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "a", StartAt = startAt, Period = period }));
        }

        Assert.Equal("0", await table.UpsertRow(new ReminderEntry { GrainId = grains[0], ReminderName = "b", StartAt = startAt, Period = period }));

        var read = await table.ReadRow(grains[0], "a");
        Assert.NotNull(read);
        Assert.Equal((grains[0], "a", startAt, period, "0"), (read.GrainId, read.ReminderName, read.StartAt, read.Period, read.ETag));
        Assert.Null(await table.ReadRow(grains[0], "missing"));
        Assert.Equal(["a", "b"], (await table.ReadRows(grains[0])).Reminders.Select(r => r.ReminderName).Order());

        // Ring ranges are (begin, end]; begin = end is the whole ring; a range may wrap past uint.MaxValue.
        Assert.Equal(4, (await table.ReadRows(0, 0)).Reminders.Count);
        foreach (var grain in grains)
        {
            var hash = grain.GetUniformHashCode();
            Assert.Contains((await table.ReadRows(hash - 1, hash)).Reminders, r => r.GrainId == grain);
            var rest = (await table.ReadRows(hash, hash - 1)).Reminders;
            Assert.DoesNotContain(rest, r => r.GrainId == grain);
            Assert.Equal(grain == grains[0] ? 2 : 3, rest.Count);
        }

        Assert.Equal("1", await table.UpsertRow(new ReminderEntry { GrainId = grains[0], ReminderName = "a", StartAt = startAt, Period = period }));
        Assert.False(await table.RemoveRow(grains[0], "a", "0")); // stale etag
        Assert.True(await table.RemoveRow(grains[0], "a", "1"));
        Assert.Null(await table.ReadRow(grains[0], "a"));

        await table.TestOnlyClearTable();
        Assert.Empty((await table.ReadRows(0, 0)).Reminders);
    }

    [Fact]
    public async Task ApplyingMigrationsTwice_DoesNothingTheSecondTime()
    {
        var database = await postgres.Server.CreateDatabaseAsync();

        var applied = await PostgresMigrations.ApplyAsync(database);
        Assert.Contains("0002_orleans_clustering", applied);
        Assert.Contains("0003_orleans_reminders", applied);
        Assert.Empty(await PostgresMigrations.ApplyAsync(database));

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection);
        var keys = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        }

        Assert.Equal(QueryKeys.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    async Task<string> MigratedDatabaseAsync()
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        await PostgresMigrations.ApplyAsync(database);
        return database;
    }

    static DateTime Millis(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>A membership row as a silo on the given port would write it.</summary>
    static MembershipEntry Entry(int port, SiloStatus status)
    {
        var now = Millis(DateTime.UtcNow);
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 42),
            Status = status,
            ProxyPort = port + 1000,
            HostName = "schema-test-host",
            SiloName = $"silo-{port}",
            StartTime = now,
            IAmAliveTime = now,
        };
    }

    static string NewClusterId() => $"schema-{Guid.NewGuid():N}";

    static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Gave up after {Patience.TotalSeconds} s waiting for {what}.");
            await poll.WaitForNextTickAsync();
        }
    }

    /// <summary>The stored Status of each silo's row, null where the row is gone.</summary>
    static async Task<int?[]> StatusesAsync(string database, string cluster, params SiloAddress[] silos)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var statuses = new int?[silos.Length];
        for (var i = 0; i < silos.Length; i++)
        {
            await using var command = new NpgsqlCommand(
                "SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Address = @address AND Port = @port AND Generation = @generation",
                connection);
            command.Parameters.AddWithValue("cluster", cluster);
            command.Parameters.AddWithValue("address", silos[i].Endpoint.Address.ToString());
            command.Parameters.AddWithValue("port", silos[i].Endpoint.Port);
            command.Parameters.AddWithValue("generation", silos[i].Generation);
            statuses[i] = (int?)await command.ExecuteScalarAsync();
        }

        return statuses;
    }

    static async Task<(long Period, int Version)?> ReminderRowAsync(string database, string serviceId, string name)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT Period, Version FROM OrleansRemindersTable WHERE ServiceId = @service AND ReminderName = @name", connection);
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt32(1)) : null;
    }

    /// <summary>Runs a stored Orleans query the way the provider does: its text from OrleansQuery, parameters by name and DbType.</summary>
    static async Task RunStoredQueryAsync(string database, string key, params (string Name, DbType Type, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var lookup = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", connection);
        lookup.Parameters.AddWithValue("key", key);
        var text = (string)(await lookup.ExecuteScalarAsync())!;
        await using var command = new NpgsqlCommand(text, connection);
        foreach (var (name, type, value) in parameters)
            command.Parameters.Add(new NpgsqlParameter { ParameterName = name, DbType = type, Value = value });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A silo in its own Generic Host, clustered through the test database.</summary>
    sealed class RunningSilo : IAsyncDisposable
    {
        readonly IHost _host;
        bool _stopped;

        RunningSilo(IHost host)
        {
            _host = host;
            Address = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        }

        public SiloAddress Address { get; }

        public IServiceProvider Services => _host.Services;

        public static async Task<RunningSilo> StartAsync(string database, string cluster, bool reminders = false)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster, cluster));
                silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", database));
                silo.ConfigureEndpoints(IPAddress.Loopback, FreePort.Next(), FreePort.Next());
                // Snappy failure detection and table refresh keep the suite fast; a graceful stop needs neither.
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = TimeSpan.FromSeconds(1);
                    o.NumMissedProbesLimit = 3;
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                    o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                });
                if (reminders) silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = ("Npgsql", database));
            });
            var host = builder.Build();
            await host.StartAsync();
            return new RunningSilo(host);
        }

        /// <summary>The silos this silo currently holds Active, itself included.</summary>
        public HashSet<SiloAddress> ActiveSilos() =>
            _host.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.SiloAddress)
                .ToHashSet();

        public async Task StopAsync()
        {
            if (_stopped) return;
            _stopped = true;
            await _host.StopAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _host.Dispose();
        }
    }

    /// <summary>An Orleans client in its own Generic Host that finds gateways through the test database.</summary>
    sealed class RunningClient : IAsyncDisposable
    {
        readonly IHost _host;

        RunningClient(IHost host) => _host = host;

        public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

        public static async Task<RunningClient> StartAsync(string database, string cluster)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster, cluster));
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", database));
            });
            var host = builder.Build();
            await host.StartAsync();
            return new RunningClient(host);
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}

/// <summary>A trivial grain a client calls through a gateway.</summary>
internal interface IEchoGrain : IGrainWithStringKey
{
    Task<string> EchoAsync(string text);
}

internal sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<string> EchoAsync(string text) => Task.FromResult(text);
}

/// <summary>A grain that manages a one-minute reminder (Orleans' minimum period) due in an hour, so it never fires here.</summary>
internal interface IReminderProbeGrain : IGrainWithStringKey
{
    Task RegisterAsync(string name);

    Task<bool> HasReminderAsync(string name);

    Task<string[]> ReminderNamesAsync();

    Task UnregisterAsync(string name);
}

internal sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public Task RegisterAsync(string name) => this.RegisterOrUpdateReminder(name, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));

    public async Task<bool> HasReminderAsync(string name) => await this.GetReminder(name) is not null;

    public async Task<string[]> ReminderNamesAsync() => (await this.GetReminders()).Select(r => r.ReminderName).ToArray();

    public async Task UnregisterAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder) await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
