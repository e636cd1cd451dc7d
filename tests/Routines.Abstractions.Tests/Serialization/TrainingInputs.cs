using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Routines.Tests.Serialization;

// Realistic ML-shaped routine inputs the schema and validator tests share.

public enum Optimizer { Adam, Sgd, RmsProp }

public sealed record Layer(int Units, [property: Description("Activation function, for example relu or tanh.")] string Activation = "relu");

public sealed record ModelSpec(IReadOnlyList<Layer> Layers, Layer? Head = null);

public sealed record TrainInput(
    [property: Description("Step size of the optimizer.")] double LearningRate,
    int Epochs,
    Optimizer Optimizer,
    IReadOnlyList<int> HiddenLayers,
    ModelSpec Model,
    string? Note = null);

/// <summary>A tree of nodes: the exporter describes the recursion with "$ref".</summary>
public sealed record TreeNode(string Name, IReadOnlyList<TreeNode> Children, TreeNode? Parent = null);

/// <summary>C# required members instead of a positional record.</summary>
public sealed class SweepSettings
{
    public required string Metric { get; init; }
    public required byte Trials { get; init; }
    public Optimizer? Fallback { get; init; }
    public IReadOnlyDictionary<string, double> Grid { get; init; } = new Dictionary<string, double>();
}

[JsonDerivedType(typeof(ConstantSchedule), "constant")]
[JsonDerivedType(typeof(StepSchedule), "step")]
public abstract record Schedule;

public sealed record ConstantSchedule(double Rate) : Schedule;

public sealed record StepSchedule(double Rate, int Every, double Factor = 0.5) : Schedule;

public sealed record ScheduledTraining(Schedule Schedule, int Epochs);

public sealed record TimedInput(string Name, TimeSpan Timeout = default);
