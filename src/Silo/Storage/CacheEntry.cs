namespace Routines.Silo.Storage;

/// <summary>A task's output stored under <c>name + version + hash(canonical input JSON)</c>.</summary>
internal sealed record CacheEntry(string Key, string RoutineId, string OutputJson, string RunId, DateTimeOffset CreatedAt);
