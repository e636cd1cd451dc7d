using Bunit;
using Microsoft.Extensions.Logging;
using Routines.Ui.Components;

namespace Routines.Ui.Tests.Components;

public sealed class LogViewerTests : ConsoleTestContext
{
    [Fact]
    public void NewLines_AppearLive_WhileFollowing()
    {
        var cut = Render<LogViewer>(p => p.Add(x => x.RunId, "r1"));
        cut.WaitForAssertion(() => Assert.Contains("No log lines yet", cut.Markup));

        Client.Log("r1", 1, "epoch 1");
        Client.Log("r1", 2, "epoch 2");

        cut.WaitForAssertion(() => Assert.Equal(["epoch 1", "epoch 2"], Messages(cut)));
    }

    [Fact]
    public void LogLineWithScript_RendersAsText()
    {
        var cut = Render<LogViewer>(p => p.Add(x => x.RunId, "r1"));

        Client.Log("r1", 1, "<script>alert(1)</script>");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".log-line")));
        Assert.Empty(cut.FindAll(".log-viewer script"));
        Assert.Contains("<script>alert(1)</script>", cut.Find(".log-line").TextContent);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", cut.Find(".log-line").InnerHtml);
    }

    [Fact]
    public void LevelFilter_HidesLinesBelowTheLevel()
    {
        var cut = Render<LogViewer>(p => p.Add(x => x.RunId, "r1").Add(x => x.MinimumLevel, LogLevel.Warning));

        Client.Log("r1", 1, "chatty", LogLevel.Information);
        Client.Log("r1", 2, "careful", LogLevel.Warning);
        Client.Log("r1", 3, "broken", LogLevel.Error);

        cut.WaitForAssertion(() => Assert.Equal(["careful", "broken"], Messages(cut)));
        Assert.Contains("2 of 3 lines", cut.Find(".log-count").TextContent);
    }

    [Fact]
    public void TextFilter_KeepsOnlyMatchingLines()
    {
        var cut = Render<LogViewer>(p => p.Add(x => x.RunId, "r1"));
        Client.Log("r1", 1, "epoch 1 loss 0.9");
        Client.Log("r1", 2, "checkpoint saved");
        Client.Log("r1", 3, "epoch 2 LOSS 0.5");
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".log-line").Count));

        cut.Find(".log-filter input").Input("loss");

        cut.WaitForAssertion(() => Assert.Equal(["epoch 1 loss 0.9", "epoch 2 LOSS 0.5"], Messages(cut)));
    }

    [Fact]
    public void FollowOff_HoldsTheViewAndCountsNewLines_UntilFollowIsOnAgain()
    {
        var cut = Render<LogViewer>(p => p.Add(x => x.RunId, "r1"));
        Client.Log("r1", 1, "first");
        cut.WaitForAssertion(() => Assert.Equal(["first"], Messages(cut)));

        cut.Find(".log-follow input").Change(false);
        Client.Log("r1", 2, "second");
        Client.Log("r1", 3, "third");

        cut.WaitForAssertion(() => Assert.Contains("2 new lines", cut.Find(".log-pending").TextContent));
        Assert.Equal(["first"], Messages(cut));

        cut.Find(".log-follow input").Change(true);

        cut.WaitForAssertion(() => Assert.Equal(["first", "second", "third"], Messages(cut)));
        Assert.Empty(cut.FindAll(".log-pending"));
    }

    /// <summary>The message part of each shown line (after the time and level).</summary>
    static string[] Messages(IRenderedComponent<LogViewer> cut)
        => [.. cut.FindAll(".log-line").Select(l => l.TextContent.Split(' ', 3)[2])];
}
