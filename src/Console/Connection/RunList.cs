namespace Routines.Cli.Connection;

/// <summary>One page of runs and how many match (at least, when <paramref name="TotalIsLowerBound"/>).</summary>
internal sealed record RunList(IReadOnlyList<RunResource> Runs, int Total, bool TotalIsLowerBound);
