using Bunit;
using Routines.Client;
using Routines.Ui.Components;

namespace Routines.Ui.Tests.Components;

public sealed class WorkflowTreeTests : ConsoleTestContext
{
    static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    static readonly RunInfo[] Tree =
    [
        FakeRoutinesClient.Run("root", "train_and_pick_model", RunStatus.Running, T0) with { Kind = RoutineKind.Workflow },
        FakeRoutinesClient.Run("root.2", "split_dataset", RunStatus.Succeeded, T0.AddSeconds(2), parent: "root", root: "root"),
        FakeRoutinesClient.Run("root.1", "load_dataset", RunStatus.Succeeded, T0.AddSeconds(1), parent: "root", root: "root"),
        FakeRoutinesClient.Run("root.3", "tune_one", RunStatus.Running, T0.AddSeconds(3), parent: "root", root: "root") with { Kind = RoutineKind.Workflow },
        FakeRoutinesClient.Run("root.3.1", "train_model", RunStatus.Failed, T0.AddSeconds(4), parent: "root.3", root: "root"),
        FakeRoutinesClient.Run("other", "unrelated", RunStatus.Pending, T0),
    ];

    [Fact]
    public void Tree_ShowsEveryDescendantInCallOrder_WithStatusChips()
    {
        var cut = Render<WorkflowTree>(p => p.Add(x => x.Runs, Tree).Add(x => x.RootRunId, "root").Add(x => x.CurrentRunId, "root"));

        var nodes = cut.FindAll(".tree-node");
        Assert.Equal(["root", "root.1", "root.2", "root.3", "root.3.1"], nodes.Select(n => n.GetAttribute("data-run-id")));
        Assert.Equal(["Running", "Succeeded", "Succeeded", "Running", "Failed"],
            nodes.Select(n => n.QuerySelector("[data-status]")!.GetAttribute("data-status")));
    }

    [Fact]
    public void Tree_LinksEveryRunButTheCurrentOne()
    {
        var cut = Render<WorkflowTree>(p => p.Add(x => x.Runs, Tree).Add(x => x.RootRunId, "root").Add(x => x.CurrentRunId, "root.3"));

        var links = cut.FindAll("a.tree-link").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["runs/root", "runs/root.1", "runs/root.2", "runs/root.3.1"], links);
    }

    [Fact]
    public void Subtree_StartsAtTheGivenRun()
    {
        var cut = Render<WorkflowTree>(p => p.Add(x => x.Runs, Tree).Add(x => x.RootRunId, "root.3"));

        Assert.Equal(["root.3", "root.3.1"], cut.FindAll(".tree-node").Select(n => n.GetAttribute("data-run-id")));
    }
}
