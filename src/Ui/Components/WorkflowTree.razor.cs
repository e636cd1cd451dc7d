using Microsoft.AspNetCore.Components;
using Routines.Client;

namespace Routines.Ui.Components;

/// <summary>Draws the subtree under <see cref="RootRunId"/> from a flat list of a tree's runs.</summary>
public sealed partial class WorkflowTree
{
    ILookup<string, RunInfo> _children = Array.Empty<RunInfo>().ToLookup(r => r.RunId);

    /// <summary>All runs of the tree (any order); children are found by their parent id.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<RunInfo> Runs { get; set; } = [];

    /// <summary>The run drawn at the top.</summary>
    [Parameter, EditorRequired]
    public string RootRunId { get; set; } = "";

    /// <summary>The run whose page this is: shown in bold, not as a link.</summary>
    [Parameter]
    public string? CurrentRunId { get; set; }

    RunInfo? Root { get; set; }

    protected override void OnParametersSet()
    {
        Root = Runs.FirstOrDefault(r => r.RunId == RootRunId);
        _children = Runs.Where(r => r.ParentRunId is not null).ToLookup(r => r.ParentRunId!);
    }

    // Children in the order their calls were made (a child id names its call, not its place: decision #34).
    IEnumerable<RunInfo> ChildrenOf(RunInfo run) => _children[run.RunId].OrderBy(r => r.CreatedAt).ThenBy(r => r.RunId, StringComparer.Ordinal);

    bool HasChildren(RunInfo run) => _children[run.RunId].Any();

    static string Describe(RunInfo run)
    {
        var parts = new List<string>();
        if (run.Status == RunStatus.Running && run.Progress is { } progress)
            parts.Add(progress.Fraction is { } f ? $"{f:P0} {progress.Message}" : progress.Message ?? "");
        if (run.Duration is { } duration) parts.Add(Format.Duration(duration));
        if (run.Attempt > 1) parts.Add($"attempt {run.Attempt}/{run.MaxAttempts}");
        if (run.CacheHit) parts.Add("from cache");
        return string.Join(" · ", parts.Where(p => p.Length > 0));
    }
}
