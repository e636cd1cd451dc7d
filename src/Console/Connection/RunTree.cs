namespace Routines.Cli.Connection;

/// <summary>A run with its children, down the whole tree.</summary>
internal sealed record RunTree(RunResource Run, IReadOnlyList<RunTree> Children)
{
    public IEnumerable<RunResource> All() => Children.SelectMany(c => c.All()).Prepend(Run);
}
