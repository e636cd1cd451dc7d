using Routines.Rendering;

namespace Routines.Worker.Tests;

public sealed class RunTreePrinterTests
{
    [Theory]
    [InlineData("0123456789abcdef", "[grey]…abcdef[/]")]
    [InlineData("0123456789abcdef.load_dataset-ad65b0a94780-1", "[grey]…abcdef[/].ad65")]
    [InlineData("0123456789abcdef.tune.v2-c56016bac1c9-1.train-model-80d5ccd591d5-3", "[grey]…abcdef[/].c560.80d5#3")]
    public void Short_KeepsTheRootsTailAndEachCallsHashHead(string runId, string shown)
        => Assert.Equal(shown, RunTreePrinter.Short(runId));
}
