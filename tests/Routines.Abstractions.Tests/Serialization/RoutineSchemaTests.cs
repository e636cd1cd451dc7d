using System.Text.Json;
using System.Text.Json.Nodes;
using Routines.Serialization;

namespace Routines.Tests.Serialization;

public sealed class RoutineSchemaTests
{
    static readonly JsonObject Train = RoutineSchema.For(typeof(TrainInput));

    static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n?.GetValue<string>() ?? "null")];

    static string[] Types(JsonNode? schema) => schema!["type"] switch
    {
        JsonArray types => Strings(types),
        { } type => [type.GetValue<string>()],
        null => [],
    };

    [Fact]
    public void Record_IsAClosedObjectWithCamelCaseProperties()
    {
        Assert.Equal(["object"], Types(Train));
        Assert.Equal(
            ["learningRate", "epochs", "optimizer", "hiddenLayers", "model", "note"],
            Train["properties"]!.AsObject().Select(p => p.Key));
        Assert.False(Train["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public void ConstructorParametersWithoutDefault_AreRequired()
        => Assert.Equal(["learningRate", "epochs", "optimizer", "hiddenLayers", "model"], Strings(Train["required"]));

    [Fact]
    public void RequiredMembers_AreRequired()
        => Assert.Equal(["metric", "trials"], Strings(RoutineSchema.For(typeof(SweepSettings))["required"]));

    [Fact]
    public void NumbersAndIntegers_AreTold_WithTheIntegerTypesRange()
    {
        var properties = Train["properties"]!;
        Assert.Equal(["number"], Types(properties["learningRate"]));
        Assert.Equal(["integer"], Types(properties["epochs"]));
        Assert.Equal(int.MinValue, properties["epochs"]!["minimum"]!.GetValue<int>());
        Assert.Equal(int.MaxValue, properties["epochs"]!["maximum"]!.GetValue<int>());

        var trials = RoutineSchema.For(typeof(SweepSettings))["properties"]!["trials"]!;
        Assert.Equal(0, trials["minimum"]!.GetValue<byte>());
        Assert.Equal(255, trials["maximum"]!.GetValue<byte>());
    }

    [Fact]
    public void NullableReference_AllowsNull_AndTheDocumentItselfDoesNot()
    {
        Assert.Equal(["string", "null"], Types(Train["properties"]!["note"]));
        Assert.Equal(["string"], Types(Train["properties"]!["model"]!["properties"]!["layers"]!["items"]!["properties"]!["activation"]));
        Assert.Equal(["object"], Types(Train));
    }

    [Fact]
    public void Enum_IsAListOfCamelCaseNames()
    {
        Assert.Equal(["adam", "sgd", "rmsProp"], Strings(Train["properties"]!["optimizer"]!["enum"]));
        Assert.Equal(["adam", "sgd", "rmsProp", "null"], Strings(RoutineSchema.For(typeof(SweepSettings))["properties"]!["fallback"]!["enum"]));
    }

    [Fact]
    public void List_HasItems()
    {
        var hiddenLayers = Train["properties"]!["hiddenLayers"]!;
        Assert.Equal(["array"], Types(hiddenLayers));
        Assert.Equal(["integer"], Types(hiddenLayers["items"]));
    }

    [Fact]
    public void NestedRecords_AreNestedClosedObjects()
    {
        var model = Train["properties"]!["model"]!;
        Assert.Equal(["object"], Types(model));
        Assert.False(model["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(["layers"], Strings(model["required"]));

        var layer = model["properties"]!["layers"]!["items"]!;
        Assert.Equal(["units"], Strings(layer["required"]));
        Assert.False(layer["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(["object", "null"], Types(model["properties"]!["head"]));
    }

    [Fact]
    public void Dictionary_DescribesItsValues()
    {
        var grid = RoutineSchema.For(typeof(SweepSettings))["properties"]!["grid"]!;
        Assert.Equal(["object"], Types(grid));
        Assert.Equal(["number"], Types(grid["additionalProperties"]));
    }

    [Fact]
    public void DescriptionAttribute_BecomesTheDescription()
    {
        Assert.Equal("Step size of the optimizer.", Train["properties"]!["learningRate"]!["description"]!.GetValue<string>());
        Assert.Null(Train["properties"]!["epochs"]!["description"]);
    }

    [Fact]
    public void RecursiveType_RefersToItselfWithLocalRefs()
    {
        var tree = RoutineSchema.For(typeof(TreeNode));
        Assert.Equal("#", tree["properties"]!["children"]!["items"]!["$ref"]!.GetValue<string>());
        var refs = tree.ToJsonString();
        Assert.Contains("\"$ref\":\"#/properties/parent\"", refs);
    }

    [Fact]
    public void PolymorphicType_IsAnAnyOfOfClosedAlternativesWithDiscriminators()
    {
        var schedule = RoutineSchema.For(typeof(ScheduledTraining))["properties"]!["schedule"]!;
        Assert.Equal(["$type"], Strings(schedule["required"]));
        Assert.Null(schedule["additionalProperties"]);
        var alternatives = schedule["anyOf"]!.AsArray();
        Assert.Equal(["constant", "step"], alternatives.Select(a => a!["properties"]!["$type"]!["const"]!.GetValue<string>()));
        Assert.All(alternatives, a => Assert.False(a!["additionalProperties"]!.GetValue<bool>()));
    }

    [Fact]
    public void UsesTheGivenOptions()
    {
        var options = new JsonSerializerOptions(RoutineJson.Default) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var schema = RoutineSchema.For(typeof(TrainInput), options);
        Assert.NotNull(schema["properties"]!["learning_rate"]);
    }

    [Fact]
    public void StructParameterDefaultedToDefault_FailsNamingTheParameterAndTheFix()
    {
        var error = Assert.Throws<NotSupportedException>(() => RoutineSchema.For(typeof(TimedInput)));
        Assert.Contains("constructor parameter 'Timeout'", error.Message);
        Assert.Contains("'TimeSpan? Timeout = null'", error.Message);
    }

    [Fact]
    public void Schema_IsAFreshDocumentEachTime()
        => Assert.NotSame(RoutineSchema.For(typeof(TrainInput)), RoutineSchema.For(typeof(TrainInput)));
}
