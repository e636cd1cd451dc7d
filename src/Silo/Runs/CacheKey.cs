using Routines.Serialization;

namespace Routines.Silo.Runs;

/// <summary>The task result cache key: <c>name:version:sha256(canonical input JSON)</c>.</summary>
internal static class CacheKey
{
    public static string For(RoutineId routine, string canonicalInputJson)
        => $"{routine.Name}:{routine.Version}:{CanonicalJson.Hash(canonicalInputJson)}";
}
