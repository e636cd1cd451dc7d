using Routines.Client;

namespace Routines.Silo.Runs;

/// <summary>Something that happened to a run of a tree, as the live feed carries it. Exactly one payload is set.</summary>
internal sealed record RunUpdate(
    string RootRunId,
    RunInfo? Run = null,
    RunLogLine? Log = null,
    MetricPoint? Metric = null);
