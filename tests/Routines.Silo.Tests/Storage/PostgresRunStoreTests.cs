using Microsoft.Extensions.Logging;
using Npgsql;
using Routines.Client;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Tests.Fixtures;
using Routines.Silo.Hosting;

namespace Routines.Silo.Tests.Storage;

/// <summary>The run store contract on a real PostgreSQL server (a fresh database per test), plus what only a server-based store has to get right.</summary>
[Collection("postgres")]
public sealed class PostgresRunStoreTests(PostgresFixture postgres) : RunStoreContractTests
{
    private const string Password = "s3cret-pa55word";

    private readonly List<PostgresRunStore> _stores = [];
    private string? _connectionString;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    private protected override async Task<IRunStore> CreateStoreAsync()
    {
        _connectionString = await postgres.Server.CreateDatabaseAsync();
        return await OpenAsync(_connectionString);
    }

    private protected override async Task<IRunStore> ReopenAsync()
    {
        await ((PostgresRunStore)Store).DisposeAsync();
        return await OpenAsync(ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _stores) await store.DisposeAsync();
    }

    [Fact]
    public async Task InitializeAgain_AndFromAnotherStore_KeepsTheSchemaAndTheData()
    {
        await Store.SaveRunAsync(NewRun("run-1"), []);

        await Store.InitializeAsync();
        var second = await OpenAsync(ConnectionString);
        var third = await OpenAsync(ConnectionString, migrateOnStart: false);

        Assert.NotNull(await second.GetRunAsync("run-1"));
        Assert.NotNull(await third.GetRunAsync("run-1"));
        Assert.Equal(PostgresMigrations.Known, await AppliedMigrationsAsync(ConnectionString));
    }

    [Fact]
    public async Task TwoStoresInitializingANewDatabaseAtOnce_BothSucceed()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var one = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString }));
        var two = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString }));

        await Task.WhenAll(one.InitializeAsync(), two.InitializeAsync());

        await one.SaveRunAsync(NewRun("run-1"), []);
        await two.SaveRunAsync(NewRun("run-2"), []);
        Assert.NotNull(await two.GetRunAsync("run-1"));
        Assert.NotNull(await one.GetRunAsync("run-2"));
        Assert.Equal(PostgresMigrations.Known, await AppliedMigrationsAsync(connectionString));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnreachableServer_InitializeFails_NamingHostPortAndDatabase_NotThePassword(bool migrateOnStart)
    {
        var port = FreePort.Next(); // nothing listens there: connecting is refused at once
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={port};Database=routines_nowhere;Username=routines;Password={Password};Timeout=5",
            MigrateOnStart = migrateOnStart,
        }));

        var error = await Assert.ThrowsAsync<RunStoreException>(() => store.InitializeAsync());

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("routines_nowhere", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    [Fact]
    public async Task MigrateOnStartOff_EmptyDatabase_InitializeFails_AskingToRunMigrate()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString, MigrateOnStart = false }));

        var error = await Assert.ThrowsAsync<RunStoreException>(() => store.InitializeAsync());

        Assert.Contains("has no Routines schema", error.Message);
        Assert.Contains("`migrate`", error.Message);
        Assert.Contains("MigrateOnStart", error.Message);
        Assert.Contains(new NpgsqlConnectionStringBuilder(connectionString).Database!, error.Message);
    }

    [Fact]
    public async Task MigrateOnStartOff_MigratedDatabase_Opens()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await PostgresMigrations.ApplyAsync(connectionString);

        var store = await OpenAsync(connectionString, migrateOnStart: false);

        await store.SaveRunAsync(NewRun("run-1"), []);
        Assert.NotNull(await store.GetRunAsync("run-1"));
    }

    [Fact]
    public async Task WriteThePostgresServerRejects_FailsAlone_AndTheOthersAreStored()
    {
        // A key far over the btree limit (about 2.7 kB): the server rejects the row, and it must not take the others with it.
        var hugeRunId = string.Concat(Enumerable.Range(0, 400).Select(_ => Guid.NewGuid().ToString("N")));
        var good = Enumerable.Range(0, 100).Select(i => Store.SaveRunAsync(NewRun($"run-{i}"), [])).ToArray();
        var bad = Store.AppendLogsAsync([new RunLogLine(hugeRunId, 1, T0, LogLevel.Information, "lost", 1)]);
        var more = Enumerable.Range(100, 100).Select(i => Store.SaveRunAsync(NewRun($"run-{i}"), [])).ToArray();

        var error = await Assert.ThrowsAsync<RunStoreException>(() => bad);
        await Task.WhenAll([.. good, .. more]);

        Assert.Contains("rejected a value", error.Message);
        Assert.Equal(200, (await Store.ListRunsAsync(new RunFilter())).Total);
        await Store.SaveRunAsync(NewRun("run-after"), []);
        Assert.NotNull(await Store.GetRunAsync("run-after"));
    }

    [Fact]
    public async Task WriterConnectionKilledByTheServer_TheNextWritesGoThroughOnANewOne()
    {
        await Store.SaveRunAsync(NewRun("run-1"), []);

        // What a server restart or an administrator does to the writer's idle connection.
        await using (var admin = new NpgsqlConnection(ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = admin.CreateCommand();
            kill.CommandText = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }

        // The write that finds the connection dead may fail (it is told so, never silently dropped); the ones after it
        // must not: the store replaces the connection instead of failing every write from then on.
        try { await Store.SaveRunAsync(NewRun("run-2"), []); }
        catch (RunStoreException) { }
        await Store.SaveRunAsync(NewRun("run-3"), []);
        await Store.SaveRunAsync(NewRun("run-4"), []);

        Assert.NotNull(await Store.GetRunAsync("run-3"));
        Assert.NotNull(await Store.GetRunAsync("run-4"));
    }

    [Fact]
    public async Task TextPostgresCannotHold_IsStoredWithReplacementCharacters()
    {
        // U+0000 and a lone surrogate half; the emoji is a valid surrogate pair and must survive.
        var line = new RunLogLine("run-1", 1, T0, LogLevel.Information, "a\0b\uD800c 😀", 1);

        await Store.AppendLogsAsync([line]);

        Assert.Equal("a\uFFFDb\uFFFDc 😀", Assert.Single(await Store.GetLogsAsync("run-1")).Message);
    }

    [Fact]
    public async Task UseBeforeInitialize_ThrowsSayingSo()
    {
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = ConnectionString }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetRunAsync("run-1"));

        Assert.Contains("InitializeAsync", error.Message);
    }

    [Fact]
    public void EmptyConnectionString_IsRejectedNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresRunStore(new PostgresRunStoreOptions()));

        Assert.Contains("Routines:Cluster:ConnectionString", error.Message);
    }

    private async Task<PostgresRunStore> OpenAsync(string connectionString, bool migrateOnStart = true)
    {
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString, MigrateOnStart = migrateOnStart }));
        await store.InitializeAsync();
        return store;
    }

    private PostgresRunStore Track(PostgresRunStore store)
    {
        _stores.Add(store);
        return store;
    }

    private static async Task<List<string>> AppliedMigrationsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT name FROM routines_migrations ORDER BY name COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
