using System.Text.Json;
using Routines.Serialization;

namespace Routines.Tests.Serialization;

/// <summary>
/// The service validates with the schema alone and the worker deserializes with the type: the two must agree, or
/// an input passes the service and fails on the worker (or is refused though the routine could run it).
/// </summary>
public sealed class ValidatorDeserializerAgreementTests
{
    const string Layers = """ "model": { "layers": [ { "units": 8 } ] } """;

    public static TheoryData<string> TrainInputs() =>
    [
        // Accepted by both.
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [64], {{Layers}} }""",
        $$"""{ "learningRate": 1, "epochs": 3, "optimizer": "sgd", "hiddenLayers": [], {{Layers}}, "note": null }""",
        $$"""{ "learningRate": 1e-3, "epochs": -0, "optimizer": "rmsProp", "hiddenLayers": [1, 2], {{Layers}}, "note": "x" }""",
        """{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], "model": { "layers": [], "head": { "units": 1, "activation": "tanh" } } }""",
        """{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], "model": { "layers": [ null ], "head": null } }""",
        $$"""{ "LearningRate": 0.1, "EPOCHS": 3, "optimizer": "ADAM", "hiddenLayers": [], {{Layers}} }""",

        // Refused by both.
        $$"""{ "epochs": 3, "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        """{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [] }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], {{Layers}}, "lerning_rate": 1 }""",
        $$"""{ "learningRate": null, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": null, {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [1, null], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": "ten", "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3.5, "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3.0, "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 1e2, "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3000000000, "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": "0.1", "epochs": 3, "optimizer": "adam", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adamw", "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": null, "hiddenLayers": [], {{Layers}} }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": {}, {{Layers}} }""",
        """{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], "model": [] }""",
        """{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], "model": { "layers": [ {} ] } }""",
        """{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], "model": { "layers": [ { "units": 1, "activation": null } ] } }""",
        """{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], "model": { "layers": [ { "units": 1, "dropout": 0.5 } ] } }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], {{Layers}}, "note": 5 }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], {{Layers}}, }""",
        $$"""{ "learningRate": 0.1, "epochs": 3, "optimizer": "adam", "hiddenLayers": [], {{Layers}} } x""",
        "[]",
        "null",
        "",
        "{",
    ];

    [Theory]
    [MemberData(nameof(TrainInputs))]
    public void Validator_AcceptsExactlyWhatTheDeserializerAccepts(string json)
    {
        var problems = InputValidator.Validate(RoutineSchema.For(typeof(TrainInput)), json);
        Assert.Equal(Deserializes<TrainInput>(json), problems.Count == 0);
    }

    public static TheoryData<string> OtherInputs() =>
    [
        """{ "metric": "loss", "trials": 255 }""",
        """{ "metric": "loss", "trials": 256 }""",
        """{ "metric": "loss", "trials": -1 }""",
        """{ "metric": "loss" }""",
        """{ "metric": "loss", "trials": 1, "grid": { "lr": 0.1, "wd": 0 } }""",
        """{ "metric": "loss", "trials": 1, "grid": { "lr": null } }""",
        """{ "metric": "loss", "trials": 1, "fallback": null }""",
        """{ "metric": "loss", "trials": 1, "fallback": "sgd" }""",
        """{ "metric": "loss", "trials": 1, "fallback": "momentum" }""",
    ];

    [Theory]
    [MemberData(nameof(OtherInputs))]
    public void Validator_AgreesWithTheDeserializer_ForRequiredMembersRangesAndDictionaries(string json)
    {
        var problems = InputValidator.Validate(RoutineSchema.For(typeof(SweepSettings)), json);
        Assert.Equal(Deserializes<SweepSettings>(json), problems.Count == 0);
    }

    public static TheoryData<string> TreeInputs() =>
    [
        """{ "name": "r", "children": [ { "name": "a", "children": [] } ] }""",
        """{ "name": "r", "children": [ { "name": "a", "children": [ { "name": "b" } ] } ] }""",
        """{ "name": "r", "children": [], "parent": { "name": "p", "children": [], "parent": null } }""",
        """{ "name": "r", "children": [], "parent": { "name": "p", "children": [], "parent": { "children": [] } } }""",
    ];

    [Theory]
    [MemberData(nameof(TreeInputs))]
    public void Validator_AgreesWithTheDeserializer_ForRecursiveTypes(string json)
    {
        var problems = InputValidator.Validate(RoutineSchema.For(typeof(TreeNode)), json);
        Assert.Equal(Deserializes<TreeNode>(json), problems.Count == 0);
    }

    /// <summary>Accepted: deserializes without error to a value (a null document is no input).</summary>
    static bool Deserializes<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, RoutineJson.Default) is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
