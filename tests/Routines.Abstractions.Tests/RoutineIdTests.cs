namespace Routines.Tests;

public sealed class RoutineIdTests
{
    [Fact]
    public void BareName_MeansTheNewestVersion()
    {
        var id = RoutineId.Parse("train_model");
        Assert.Equal(new RoutineId("train_model"), id);
        Assert.Null(id.Version);
        Assert.Null(id.Kind);
        Assert.False(id.IsExact);
        Assert.Equal("train_model", id.Display);
    }

    [Fact]
    public void TaskName_GivesNameVersionAndKind()
    {
        var id = RoutineId.Parse("tname:train_model:1.2.0");
        Assert.Equal(new RoutineId("train_model", "1.2.0", RoutineKind.Task), id);
        Assert.True(id.IsExact);
        Assert.Equal("train_model@1.2.0", id.Display);
    }

    [Fact]
    public void WorkflowName_GivesNameRevisionAndKind()
        => Assert.Equal(new RoutineId("train_and_pick", "3", RoutineKind.Workflow), RoutineId.Parse("wfname:train_and_pick:3"));

    [Fact]
    public void SurroundingWhitespace_IsIgnored()
        => Assert.Equal(new RoutineId("train-model.v2"), RoutineId.Parse("  train-model.v2 \n"));

    [Theory]
    [InlineData("train_model")]
    [InlineData("tname:train_model:1.2.0")]
    [InlineData("wfname:train_and_pick:2.0.0-beta.1")]
    public void ToString_RoundTrips(string text)
    {
        Assert.Equal(text, RoutineId.Parse(text).ToString());
        Assert.Equal(RoutineId.Parse(text), RoutineId.Parse(RoutineId.Parse(text).ToString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_IsRefused_SayingWhatToGive(string? text)
    {
        Assert.False(RoutineId.TryParse(text, out var id, out var error));
        Assert.Equal(default, id);
        Assert.Equal("A routine id is empty. Give a routine name, 'tname:<task>:<version>' or 'wfname:<workflow>:<revision>'.", error);
    }

    [Theory]
    [InlineData("train model")]
    [InlineData("tname:train_model")]
    [InlineData("tname:train_model:")]
    [InlineData("xname:train_model:1.0.0")]
    [InlineData("tname::1.0.0")]
    [InlineData("tname:train_model:1.0:extra")]
    [InlineData("train/model")]
    [InlineData("tname:train_model:1.0 beta")]
    public void Malformed_IsRefused_NamingTheTextAndTheAcceptedForms(string text)
    {
        Assert.False(RoutineId.TryParse(text, out _, out var error));
        Assert.Equal(
            $"'{text}' is not a routine id. Give a routine name (letters, digits, '_', '-', '.'), "
            + "'tname:<task>:<version>' or 'wfname:<workflow>:<revision>'.",
            error);
        var exception = Assert.Throws<FormatException>(() => RoutineId.Parse(text));
        Assert.Equal(error, exception.Message);
    }

    [Fact]
    public void Of_ReadsTheRoutineAttribute()
    {
        Assert.Equal(new RoutineId("double_it", "1.0.0", RoutineKind.Task), RoutineId.Of(typeof(DoubleIt)));
        var error = Assert.Throws<ArgumentException>(() => RoutineId.Of(typeof(RoutineIdTests)));
        Assert.Contains("has no [Routine(\"name\")] attribute", error.Message);
    }

    [Routine("double_it", Version = "1.0.0")]
    sealed class DoubleIt : RoutineTask<int, int>
    {
        public override Task<int> RunAsync(int input, RoutineContext ctx) => Task.FromResult(input * 2);
    }
}
