namespace Routines.Tests;

public sealed class RunErrorTests
{
    [Fact]
    public void ToString_OfALoneError_NamesTypeAndMessage()
    {
        // Root is the error itself when there is no cause: a printer that walked Root recursed until the stack ran out.
        Assert.Equal("X: m", new RunError("X", "m").ToString());
    }

    [Fact]
    public void ToString_OfAChain_ListsEachErrorOutermostFirst_WithTheRunsTheyBelongTo()
    {
        var error = new RunError("Outer", "child failed", RunId: "r1",
            Cause: new RunError("Inner", "boom", RunId: "r1.2", RoutineId: "tname:fit:1.0.0"));

        Assert.Equal("Outer: child failed (run r1) <- Inner: boom (run r1.2, tname:fit:1.0.0)", error.ToString());
        Assert.Equal("Inner", error.Root.Type);
    }
}
