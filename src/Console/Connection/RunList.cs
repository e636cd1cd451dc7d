namespace Routines.Cli.Connection;

/// <summary>One page of runs and how many match.</summary>
internal sealed record RunList(IReadOnlyList<RunResource> Runs, int Total);
