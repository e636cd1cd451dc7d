using System.Text.Json.Nodes;
using Bunit;
using Routines.Client;
using Routines.Serialization;
using Routines.Ui.Components;
using Routines.Ui.Forms;

namespace Routines.Ui.Tests.Components;

/// <summary>A routine reference in an input is a choice of the live routines that fit it, in the Run form.</summary>
public sealed class RoutineChoicesTests : ConsoleTestContext
{
    public sealed record TrainIn(int Epochs);

    public sealed record TrainOut(double Loss);

    public sealed record TuneIn(RoutineRef<TrainIn, TrainOut> Trainer, int Trials = 3);

    static RoutineDescriptor Routine(string name, Type input, Type output) => new()
    {
        Id = RoutineId.Parse($"tname:{name}:1.0.0"), InputSchema = "{}", OutputSchema = "{}", InputType = input.FullName!, OutputType = output.FullName!,
        Retry = new RetryPolicy(), Timeout = TimeSpan.FromMinutes(1), Cache = true,
    };

    static readonly RoutineDescriptor[] Catalog =
    [
        Routine("train_fast", typeof(TrainIn), typeof(TrainOut)),
        Routine("train_slow", typeof(TrainIn), typeof(TrainOut)),
        Routine("evaluate", typeof(TrainOut), typeof(TrainIn)),
        Routine("train_other", typeof(TrainIn), typeof(string)),
    ];

    [Fact]
    public void AReference_IsOfferedTheRoutinesTakingAndReturningItsTypes_Only()
    {
        var schema = RoutineSchema.For(typeof(TuneIn)).ToJsonString();

        var offered = JsonNode.Parse(RoutineChoices.Offer(schema, Catalog))!;

        Assert.Equal(["train_fast", "train_slow"], offered["properties"]!["trainer"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal($"{typeof(TrainIn).FullName}", offered["properties"]!["trainer"]!["x-routine"]!["input"]!.GetValue<string>());
    }

    [Fact]
    public void TheRunForm_DrawsAReferenceAsAChoice()
    {
        var cut = Render<SchemaForm>(p => p.Add(x => x.Schema, RoutineChoices.Offer(RoutineSchema.For(typeof(TuneIn)).ToJsonString(), Catalog)));

        Assert.Contains("mud-select", cut.Find("[data-path='$.trainer']").OuterHtml + cut.Find("[data-path='$.trainer']").ParentElement!.OuterHtml);
    }
}
