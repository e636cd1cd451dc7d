using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Ui.Components.Pages.Compare;

namespace Routines.Ui.Tests.Components;

public sealed class CompareTests : ConsoleTestContext
{
    static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Table_ShowsTheInputsThatDiffer_AndEachMetricsLastValue_AndAllInputsOnRequest()
    {
        Add("run-aaaaaa", """{"epochs":100,"hyperparameters":{"l2":0,"learningRate":0.1},"note":"<script>alert(1)</script>","rows":[[1,2],[3,4]]}""");
        Add("run-bbbbbb", """{"epochs":100,"hyperparameters":{"l2":0,"learningRate":0.5},"rows":[[1,2],[3,4]]}""");
        Client.Metrics.AddRange([
            new MetricPoint("run-aaaaaa", "loss", 1, 0.9, T0), new MetricPoint("run-aaaaaa", "loss", 2, 0.4, T0),
            new MetricPoint("run-bbbbbb", "loss", 2, 0.25, T0), new MetricPoint("run-bbbbbb", "loss", 1, 0.8, T0),
        ]);

        Services.GetRequiredService<NavigationManager>().NavigateTo("compare?routine=train_model&runs=run-aaaaaa,run-bbbbbb");
        var cut = Render<Compare>();

        cut.WaitForAssertion(() => Assert.Equal(["hyperparameters.learningRate", "note"], Fields(cut)));
        Assert.Equal(["0.1", "0.5"], Cells(cut, "[data-field='hyperparameters.learningRate']"));
        // Text, never markup; a field a run lacks shows as a dash.
        Assert.Equal(["\"<script>alert(1)</script>\"", "—"], Cells(cut, "[data-field='note']"));
        Assert.Empty(cut.FindAll(".compare-table script"));
        Assert.Equal(["0.4", "0.25"], Cells(cut, "[data-metric='loss'].compare-metric"));

        cut.Find(".compare-only-differences input").Change(false);

        cut.WaitForAssertion(() => Assert.Equal(["epochs", "hyperparameters.l2", "hyperparameters.learningRate", "note", "rows"], Fields(cut)));
        Assert.Equal(["[[1,2],[3,4]]", "[[1,2],[3,4]]"], Cells(cut, "[data-field='rows']"));
    }

    [Fact]
    public void WhatEachRunMade_IsPreviewedSideBySide()
    {
        Add("run-eeeeee", """{"epochs":10}""");
        Add("run-ffffff", """{"epochs":20}""");
        var plots = new[] { ("run-eeeeee", '7'), ("run-ffffff", '8') }
            .Select(p => new RunArtifact(p.Item1, "tname:train_model:1.0.0", new Artifact("sha256:" + new string(p.Item2, 64), 10, "image/png", "loss.png"), ArtifactRole.Produced, T0)).ToList();
        Client.Lineage.AddRange(plots);
        Client.Lineage.Add(new RunArtifact("run-eeeeee", "tname:train_model:1.0.0", new Artifact("sha256:" + new string('9', 64), 10, "text/csv", "data.csv"), ArtifactRole.Input, T0));

        Services.GetRequiredService<NavigationManager>().NavigateTo("compare?routine=train_model&runs=run-eeeeee,run-ffffff");
        var cut = Render<Compare>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".compare-artifacts img").Count));
        Assert.Equal(plots.Select(p => $"artifacts/{p.Artifact.Hash}/content"), cut.FindAll(".compare-artifacts img").Select(i => i.GetAttribute("src")));
        Assert.DoesNotContain("data.csv", cut.Find(".compare-artifacts").TextContent); // what a run took is not what it made
    }

    [Fact]
    public void IdenticalInputs_SaySo()
    {
        Add("run-cccccc", """{"epochs":100}""");
        Add("run-dddddd", """{"epochs":100}""");

        Services.GetRequiredService<NavigationManager>().NavigateTo("compare?routine=train_model&runs=run-cccccc,run-dddddd");
        var cut = Render<Compare>();

        cut.WaitForAssertion(() => Assert.Equal("The inputs are identical.", cut.Find(".compare-same").TextContent));
        Assert.Empty(Fields(cut));
    }

    void Add(string id, string input)
        => Client.Runs.Add(FakeRoutinesClient.Run(id, "train_model", RunStatus.Succeeded, T0) with { InputJson = input });

    static string[] Fields(IRenderedComponent<Compare> cut) => [.. cut.FindAll(".compare-row").Select(r => r.GetAttribute("data-field")!)];

    static string[] Cells(IRenderedComponent<Compare> cut, string row)
        => [.. cut.Find($".compare-table tr{row}").QuerySelectorAll("td").Skip(1).Select(td => td.TextContent.Trim())];
}
