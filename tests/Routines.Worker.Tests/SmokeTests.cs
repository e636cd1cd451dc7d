using Routines.Client;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Task_And_Workflow_Succeed()
    {
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly]);
        var add = await env.RunAsync("add", new AddInput(2, 3));
        Assert.Equal(RunStatus.Succeeded, add.Status);
        Assert.Equal("{\"value\":5}", add.OutputJson);
        var wf = await env.RunAsync("sum_pairs", new SumManyInput([1, 2, 3]));
        Assert.Equal(RunStatus.Succeeded, wf.Status);
        Assert.Equal("{\"value\":12}", wf.OutputJson);
    }
}
