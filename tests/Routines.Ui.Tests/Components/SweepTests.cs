using Bunit;
using Routines.Client;
using Routines.Ui.Components.Pages.Sweep;

namespace Routines.Ui.Tests.Components;

/// <summary>The sweep view of a workflow's calls of one routine: inputs that differ, scores, sorting, the chart.</summary>
public sealed class SweepTests : ConsoleTestContext
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A search calling load once and tune three times; each tune's training run logs its loss.</summary>
    void Search()
    {
        Client.Runs.Add(FakeRoutinesClient.Run("search", "search", RunStatus.Succeeded, T0) with { Kind = RoutineKind.Workflow });
        Client.Runs.Add(FakeRoutinesClient.Run("load", "load", RunStatus.Succeeded, T0.AddSeconds(1), "search", "search") with { InputJson = """{"name":"iris"}""" });
        var rates = new[] { 0.01, 0.5, 0.1 };
        var accuracies = new[] { 0.82, 0.97, 0.93 };
        for (var i = 0; i < 3; i++)
        {
            var tune = $"tune-{i}";
            Client.Runs.Add(FakeRoutinesClient.Run(tune, "tune", RunStatus.Succeeded, T0.AddSeconds(2 + i), "search", "search") with
            {
                InputJson = $$$"""{"data":{"rows":150},"hyperparameters":{"epochs":100,"l2":0,"learningRate":{{{rates[i]}}}}}""",
                OutputJson = $$$"""{"accuracy":{{{accuracies[i]}}},"hyperparameters":{"learningRate":{{{rates[i]}}}},"model":{"artifact":"sha256:{{{new string('a', 64)}}}","size":10,"mediaType":"application/json"},"confusionMatrix":[[1,2],[3,4]]}""",
            });
            Client.Runs.Add(FakeRoutinesClient.Run($"train-{i}", "train", RunStatus.Succeeded, T0.AddSeconds(3 + i), tune, "search"));
            for (var step = 1; step <= 3; step++) Client.Metrics.Add(new MetricPoint($"train-{i}", "loss", step, 1.0 / (step + i), T0));
        }
    }

    [Fact]
    public void ARowPerCall_WithTheInputsThatDiffer_TheLastMetricOfTheRunsUnderIt_AndTheOutputsNumbers()
    {
        Search();

        var cut = Render<SweepPage>(p => p.Add(x => x.RunId, "search"));

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".sweep-row").Count));
        Assert.Equal(["hyperparameters.learningRate"], cut.FindAll("th.sweep-input").Select(h => h.TextContent.Trim()));
        Assert.Equal(["loss", "output.accuracy ↓"], cut.FindAll("th.sweep-score").Select(h => h.TextContent.Trim()));
        // Sorted by the first output score, best first.
        Assert.Equal(["tune-1", "tune-2", "tune-0"], cut.FindAll(".sweep-row").Select(r => r.GetAttribute("data-run-id")));
        var best = cut.FindAll(".sweep-row")[0].Children.Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["0.5", "0.25", "0.97"], best[2..]); // the loss at its last step, 1/(3+1)
    }

    [Fact]
    public void AColumnHeaderSortsTheRows_AndASecondClickReverses()
    {
        Search();
        var cut = Render<SweepPage>(p => p.Add(x => x.RunId, "search"));
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".sweep-row").Count));

        cut.Find(".sweep-sort[data-column='hyperparameters.learningRate']").Click();
        Assert.Equal(["tune-1", "tune-2", "tune-0"], cut.FindAll(".sweep-row").Select(r => r.GetAttribute("data-run-id")));
        cut.Find(".sweep-sort[data-column='hyperparameters.learningRate']").Click();
        Assert.Equal(["tune-0", "tune-2", "tune-1"], cut.FindAll(".sweep-row").Select(r => r.GetAttribute("data-run-id")));
    }

    [Fact]
    public void TheChart_PlotsAnInputAgainstAScore_OnePointPerCall()
    {
        Search();

        var cut = Render<SweepPage>(p => p.Add(x => x.RunId, "search"));

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".scatter-point").Count));
        Assert.Equal("output.accuracy against hyperparameters.learningRate", cut.Find(".scatter-plot").GetAttribute("aria-label"));
        Assert.Contains("hyperparameters.learningRate = 0.5, output.accuracy = 0.97", cut.FindAll(".scatter-point title").Select(t => t.TextContent).Single(t => t.StartsWith("…tune-1")));
    }

    [Fact]
    public void AWorkflowThatCalledNoRoutineTwice_SaysWhatTheViewIsFor()
    {
        Client.Runs.Add(FakeRoutinesClient.Run("single", "single", RunStatus.Succeeded, T0) with { Kind = RoutineKind.Workflow });
        Client.Runs.Add(FakeRoutinesClient.Run("only", "load", RunStatus.Succeeded, T0, "single", "single"));

        var cut = Render<SweepPage>(p => p.Add(x => x.RunId, "single"));

        cut.WaitForAssertion(() => Assert.Contains("called no routine twice", cut.Find(".sweep-none").TextContent));
    }
}
