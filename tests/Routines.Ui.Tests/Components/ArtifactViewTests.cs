using System.Text;
using Bunit;
using Routines.Client;
using Routines.Ui.Components;
using Routines.Ui.Components.Pages.Artifacts;

namespace Routines.Ui.Tests.Components;

/// <summary>A run's artifacts on its page (producers, previews, lineage) and an artifact's own page.</summary>
public sealed class ArtifactViewTests : ConsoleTestContext
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    static Artifact Of(char digit, string type, string name, long size = 100) => new("sha256:" + new string(digit, 64), size, type, name);

    static readonly Artifact Data = Of('1', "text/csv", "train.csv");
    static readonly Artifact Weights = Of('2', "application/octet-stream", "weights.bin", 4_200_000);
    static readonly Artifact Loss = Of('3', "image/png", "loss.png");
    static readonly Artifact Report = Of('4', "application/json", "report.json");
    static readonly Artifact Notes = Of('5', "text/plain", "notes.txt");

    void Touch(string runId, string routine, Artifact artifact, ArtifactRole role)
        => Client.Lineage.Add(new RunArtifact(runId, $"tname:{routine}:1.0.0", artifact, role, T0));

    /// <summary>prepare made the data; train read it and made weights, a plot, a report and notes; evaluate read the weights.</summary>
    void TrainingLineage()
    {
        Touch("prepare-1", "prepare", Data, ArtifactRole.Produced);
        Touch("train-1", "train", Data, ArtifactRole.Input);
        Touch("train-1", "train", Data, ArtifactRole.Read);
        foreach (var made in new[] { Weights, Loss, Report, Notes }) Touch("train-1", "train", made, ArtifactRole.Produced);
        Touch("evaluate-1", "evaluate", Weights, ArtifactRole.Read);
        Client.Blobs[Data.Hash] = Encoding.UTF8.GetBytes("x,label\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{i},\"a,{i % 3}\"\n")));
        Client.Blobs[Report.Hash] = Encoding.UTF8.GetBytes("""{"accuracy":0.93,"classes":["cat","dog"]}""");
        Client.Blobs[Notes.Hash] = Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(1, 100).Select(i => $"line {i}")));
    }

    [Fact]
    public void ARunsArtifacts_ShowTheirProducer_Roles_AndDownload_AndItsLineageUpAndDownstream()
    {
        TrainingLineage();

        var cut = Render<ArtifactPanel>(p => p.Add(x => x.RunId, "train-1"));

        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll(".artifact-list tbody tr").Count));
        var data = cut.Find($"tr[data-hash='{Data.Hash}']");
        Assert.Equal("input, read", data.QuerySelector(".artifact-roles")!.TextContent);
        Assert.Equal("runs/prepare-1", data.QuerySelector(".artifact-producer a")!.GetAttribute("href"));
        Assert.Equal("this run", cut.Find($"tr[data-hash='{Weights.Hash}'] .artifact-producer").TextContent.Trim());
        Assert.Equal($"artifacts/{Weights.Hash}/content?download=true", cut.Find($"tr[data-hash='{Weights.Hash}'] a[aria-label='download weights.bin']").GetAttribute("href"));
        Assert.Equal("4 MB", cut.Find($"tr[data-hash='{Weights.Hash}'] td:nth-child(3)").TextContent);

        Assert.Contains("prepare → train.csv", cut.Find(".lineage-upstream").TextContent);
        Assert.Contains("weights.bin → evaluate", cut.Find(".lineage-downstream").TextContent);
    }

    [Fact]
    public void Previews_ShowAnImageInline_ACsvHeadAsATable_JsonCollapsed_AndTheHeadOfText()
    {
        TrainingLineage();

        var cut = Render<ArtifactPanel>(p => p.Add(x => x.RunId, "train-1"));

        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll(".artifact-preview").Count));
        Assert.Equal($"artifacts/{Loss.Hash}/content", cut.Find($".artifact-preview[data-hash='{Loss.Hash}'] img").GetAttribute("src"));
        cut.WaitForAssertion(() => Assert.Equal(11, cut.FindAll($".artifact-preview[data-hash='{Data.Hash}'] tr").Count)); // the header and 10 rows
        Assert.Equal(["x", "label"], cut.FindAll($".artifact-preview[data-hash='{Data.Hash}'] th").Select(c => c.TextContent));
        Assert.Equal("a,1", cut.FindAll($".artifact-preview[data-hash='{Data.Hash}'] tbody tr")[1].Children[1].TextContent);
        Assert.Contains("first 10 rows", cut.Find($".artifact-preview[data-hash='{Data.Hash}']").TextContent);
        Assert.Contains("\"accuracy\": 0.93", cut.Find($".artifact-preview[data-hash='{Report.Hash}'] pre").TextContent);
        Assert.Empty(cut.FindAll($".artifact-preview[data-hash='{Report.Hash}'] .mud-expand-panel-expanded")); // collapsed
        var text = cut.Find($".artifact-preview[data-hash='{Notes.Hash}'] pre").TextContent;
        Assert.StartsWith("line 1\nline 2", text);
        Assert.DoesNotContain("line 41", text);
        Assert.Contains("No preview for application/octet-stream", cut.Find($".artifact-preview[data-hash='{Weights.Hash}']").TextContent);
    }

    [Fact]
    public void AnArtifactsPage_NamesItsProducer_AndEveryRunThatUsedIt()
    {
        TrainingLineage();

        var cut = Render<ArtifactPage>(p => p.Add(x => x.Hash, Weights.Hash));

        cut.WaitForAssertion(() => Assert.Equal("weights.bin", cut.Find("#page-title").TextContent));
        var rows = cut.FindAll(".artifact-lineage tr[data-run-id]").Select(r => (r.GetAttribute("data-run-id"), r.Children[1].TextContent)).ToList();
        Assert.Equal([("train-1", "produced"), ("evaluate-1", "read")], rows);
        Assert.Equal($"artifacts/{Weights.Hash}/content?download=true", cut.Find(".artifact-download").GetAttribute("href"));
    }

    [Fact]
    public void AnArtifactNoRunRecords_AndAMalformedHash_SayWhat()
    {
        var unknown = Render<ArtifactPage>(p => p.Add(x => x.Hash, Data.Hash));
        unknown.WaitForAssertion(() => Assert.Contains($"No run records artifact {Data.Hash}", unknown.Markup));

        var malformed = Render<ArtifactPage>(p => p.Add(x => x.Hash, "sha256:xyz"));
        malformed.WaitForAssertion(() => Assert.Contains("'sha256:xyz' is not an artifact hash", malformed.Markup));
    }

    [Fact]
    public void ARunWithoutArtifacts_SaysSo()
    {
        var cut = Render<ArtifactPanel>(p => p.Add(x => x.RunId, "nothing-1"));

        cut.WaitForAssertion(() => Assert.Contains("took, read and produced no artifacts", cut.Find(".no-artifacts").TextContent));
    }
}
