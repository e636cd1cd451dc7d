using System.Net;
using System.Text.Json;
using Routines.Client;
using Routines.Silo.Tests.Fixtures;

namespace Routines.Silo.Tests.Runs;

/// <summary>The service's prune verb on a real cluster, and what callers are told about a removed run.</summary>
public sealed class RetentionTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Prune_RemovesFinishedTrees_KeepsARunningOne_AndARemovedRunIsSaidToBeRemoved()
    {
        var step = await cluster.Client.ExecuteAsync("step", Json(new { key = $"prune-{Guid.NewGuid():N}", milliseconds = 1 }));
        var fan = await cluster.Client.ExecuteAsync("fan", Json(new { key = $"prune-{Guid.NewGuid():N}", children = 2, milliseconds = 1 }));
        Assert.Equal((RunStatus.Succeeded, RunStatus.Succeeded), (step.Status, fan.Status));
        var children = await cluster.Client.ListChildrenAsync(fan.RunId);
        var running = await cluster.Client.SubmitAsync("pipeline", Json(new { key = $"prune-{Guid.NewGuid():N}", steps = 3, milliseconds = 3000 }));
        await Routines.Tests.Shared.Eventually.TrueAsync(async () => (await cluster.Client.ListChildrenAsync(running.RunId)).Any(),
            TimeSpan.FromSeconds(30), "the pipeline's first step");

        // Someone looked at the finished runs (a page in the console): their grains came back to answer, and must not
        // keep answering from memory once the runs are gone.
        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var looked in new[] { step, fan }.Concat(children)) Assert.NotNull(await cluster.Client.GetRunAsync(looked.RunId));

        var (exitCode, output) = await cluster.ServiceVerbAsync(["prune"], new()
        {
            ["Routines__Service__Retention__Runs"] = "00:00:00",
            ["Routines__Service__Retention__SucceededChildren"] = "00:00:00",
        });

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"Removed \d+ runs from PostgreSQL", output);
        foreach (var removed in new[] { step, fan }.Concat(children))
        {
            var error = await Assert.ThrowsAsync<RunRemovedException>(() => cluster.Client.GetRunAsync(removed.RunId));
            Assert.Equal(removed.RunId, error.RunId);
        }

        using var http = new HttpClient();
        using var answer = await http.GetAsync($"{cluster.ApiBase}/runs/{step.RunId}");
        Assert.Equal(HttpStatusCode.Gone, answer.StatusCode);
        Assert.Contains("removed on", (await answer.Content.ReadAsStringAsync()).Replace("\\u0027", "'"));

        // The running tree keeps its finished first step, and ends as it would have.
        Assert.Equal(RunStatus.Succeeded, (await running.WaitAsync()).Status);
        Assert.Equal(3, (await cluster.Client.ListChildrenAsync(running.RunId)).Count);
    }

    [Fact]
    public async Task Prune_WithAnInvalidSetting_SaysWhichAndRemovesNothing()
    {
        var run = await cluster.Client.ExecuteAsync("step", Json(new { key = $"prune-bad-{Guid.NewGuid():N}", milliseconds = 1 }));

        var (exitCode, output) = await cluster.ServiceVerbAsync(["prune"], new() { ["Routines__Service__Retention__BatchSize"] = "0" });

        Assert.Equal(2, exitCode);
        Assert.Contains("Routines:Service:Retention:BatchSize must be from 1 to 10000 (got 0)", output);
        Assert.NotNull(await cluster.Client.GetRunAsync(run.RunId));
    }

    static string Json(object value) => JsonSerializer.Serialize(value);
}
