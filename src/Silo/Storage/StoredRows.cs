using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Routines.Client;

namespace Routines.Silo.Storage;

/// <summary>
/// What the SQLite and PostgreSQL stores share about rows, so both hold the same JSON and read a run the same way:
/// the JSON errors and call options are kept in, reading a result set, and turning a <c>runs</c> row (the same
/// column order in both schemas) into a <see cref="RunInfo"/>. Each store reads its own time columns.
/// </summary>
internal static class StoredRows
{
    // Only settable properties are stored: computed ones (such as RunError.Root, which refers back to the error
    // itself) are derived again on read. The depth limit is generous because an error chain nests once per failed
    // child workflow.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        MaxDepth = 256,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { StoreOnlySettableProperties, LeavePolicyDefaultsOut } },
    };

    public static string? ToJson<T>(T? value) where T : class => value is null ? null : JsonSerializer.Serialize(value, Json);

    /// <summary>
    /// A policy's JSON, serialized once per distinct policy: it is written with each of a run's records (three for most
    /// runs) and most runs share a handful, where serializing it each time was a visible share of the service's CPU per run.
    /// Bounded, since call options can make every run's policy its own.
    /// </summary>
    public static string? ToJson(RunPolicy? policy)
    {
        if (policy is null) return null;
        if (PolicyJson.TryGetValue(policy, out var json)) return json;
        if (PolicyJson.Count >= 1024) PolicyJson.Clear();
        return PolicyJson[policy] = JsonSerializer.Serialize(policy, Json);
    }

    private static readonly ConcurrentDictionary<RunPolicy, string> PolicyJson = new();

    public static T? FromJson<T>(DbDataReader r, int ordinal) where T : class =>
        r.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize<T>(r.GetString(ordinal), Json);

    /// <summary>An enum value's stored name, without the boxing <c>Enum.ToString</c> does on every row written.</summary>
    public static string Name<T>(T value) where T : struct, Enum => Names<T>.Of[value];

    public static string? NullableString(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) items.Add(map(reader));
        return items;
    }

    /// <summary>A <c>runs</c> row; <paramref name="time"/> reads a non-null time column the way its store keeps times.</summary>
    public static RunInfo ReadRun(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time)
    {
        DateTimeOffset? NullableTime(int ordinal) => r.IsDBNull(ordinal) ? null : time(r, ordinal);

        return new RunInfo
        {
            RunId = r.GetString(0),
            RoutineId = r.GetString(1),
            RoutineName = r.GetString(2),
            RoutineVersion = r.GetString(3),
            Kind = Enum.Parse<RoutineKind>(r.GetString(4)),
            Status = Enum.Parse<RunStatus>(r.GetString(5)),
            Attempt = r.GetInt32(6),
            MaxAttempts = r.GetInt32(7),
            InputJson = r.GetString(8),
            OutputJson = NullableString(r, 9),
            Error = FromJson<RunError>(r, 10),
            ParentRunId = NullableString(r, 11),
            RootRunId = r.GetString(12),
            ParentAttempt = r.GetInt32(13),
            CreatedAt = time(r, 14),
            StartedAt = NullableTime(15),
            FinishedAt = NullableTime(16),
            Worker = NullableString(r, 17),
            CachedFromRunId = NullableString(r, 18),
            WaitReason = NullableString(r, 19),
            Progress = r.IsDBNull(23)
                ? null
                : new RunProgress(r.GetInt64(20), r.GetInt64(21), NullableString(r, 22), time(r, 23)),
            Options = FromJson<CallOptions>(r, 24),
            Policy = FromJson<RunPolicy>(r, 25),
            TraceParent = NullableString(r, 26),
            Cause = FromJson<RunCause>(r, 27),
        };
    }

    private static void StoreOnlySettableProperties(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object) return;
        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (typeInfo.Properties[i].Set is null) typeInfo.Properties.RemoveAt(i);
        }
    }

    /// <summary>
    /// A policy's settings that are what reading them back without them gives (a retry setting's default, a run policy's
    /// false, zero or first enum value) are left out: a run's policy is written with each of its records, and a typical
    /// one takes 34 bytes instead of 200 (decision #73).
    /// </summary>
    private static void LeavePolicyDefaultsOut(JsonTypeInfo typeInfo)
    {
        object? defaults = typeInfo.Type == typeof(RetryPolicy) ? new RetryPolicy() : null;
        if (defaults is null && typeInfo.Type != typeof(RunPolicy)) return;
        foreach (var property in typeInfo.Properties)
        {
            // A run policy is built by its constructor, which takes a missing value as its type's default.
            var missing = defaults is not null ? property.Get!(defaults)
                : property.PropertyType.IsValueType ? Activator.CreateInstance(property.PropertyType) : null;
            if (missing is null) continue;
            property.ShouldSerialize = missing is IReadOnlyCollection<string> { Count: 0 }
                ? (_, value) => value is not IReadOnlyCollection<string> { Count: 0 }
                : (_, value) => !Equals(value, missing);
        }
    }

    private static class Names<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> Of = Enum.GetValues<T>().ToDictionary(v => v, v => v.ToString());
    }
}
