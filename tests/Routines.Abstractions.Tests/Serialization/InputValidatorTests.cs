using System.Text.Json.Nodes;
using Routines.Serialization;

namespace Routines.Tests.Serialization;

public sealed class InputValidatorTests
{
    const string Valid = """
        {
          "learningRate": 0.01,
          "epochs": 10,
          "optimizer": "adam",
          "hiddenLayers": [64, 32],
          "model": { "layers": [ { "units": 64 }, { "units": 10, "activation": "softmax" } ] },
          "note": "baseline"
        }
        """;

    static readonly JsonObject Train = RoutineSchema.For(typeof(TrainInput));

    static string[] Problems(string json, JsonNode? schema = null)
        => [.. InputValidator.Validate(schema ?? Train, json).Select(p => p.ToString())];

    /// <summary>The valid input with one top-level field replaced (or removed, when <paramref name="json"/> is null).</summary>
    static string With(string field, string? json)
    {
        var input = JsonNode.Parse(Valid)!.AsObject();
        if (json is null) input.Remove(field);
        else input[field] = JsonNode.Parse(json);
        return input.ToJsonString();
    }

    [Fact]
    public void ValidInput_HasNoProblems() => Assert.Empty(Problems(Valid));

    [Fact]
    public void OptionalFields_MayBeLeftOutOrNull()
    {
        Assert.Empty(Problems(With("note", null)));
        Assert.Empty(Problems(With("note", "null")));
        Assert.Empty(Problems(With("model", """{ "layers": [], "head": null }""")));
    }

    [Fact]
    public void MalformedJson_IsOneProblemAtTheRootWithLineAndPosition()
    {
        var problem = Assert.Single(InputValidator.Validate(Train, """{"a": x}"""));
        Assert.Equal("$", problem.Path);
        Assert.Equal("malformed JSON: 'x' is an invalid start of a value at line 1, position 7", problem.Problem);

        Assert.Equal(
            ["$: malformed JSON: '}' is an invalid start of a value at line 2, position 11"],
            Problems("{\"epochs\": 1,\n  \"note\": }"));
        Assert.Equal(
            ["$: malformed JSON: a comma ends the object; remove it at line 1, position 14"],
            Problems("""{"epochs": 1,}"""));
        Assert.Equal(["$: malformed JSON: the input is empty; expected a JSON value such as {}"], Problems("  "));
    }

    [Fact]
    public void StringForInteger_SaysWhatWasGiven()
        => Assert.Equal(["$.epochs: expected an integer, got the string \"ten\""], Problems(With("epochs", "\"ten\"")));

    [Fact]
    public void FractionForInteger_IsAProblem_AndAWholeNumberForANumberIsNot()
    {
        Assert.Equal(["$.epochs: expected an integer, got 3.5"], Problems(With("epochs", "3.5")));
        Assert.Equal(["$.epochs: expected an integer, got 3.0 (write it without a decimal point or exponent)"], Problems(With("epochs", "3.0")));
        Assert.Empty(Problems(With("learningRate", "3")));
    }

    [Fact]
    public void IntegerOutsideItsType_SaysTheRange()
        => Assert.Equal(
            ["$.epochs: expected an integer from -2147483648 to 2147483647, got 3000000000"],
            Problems(With("epochs", "3000000000")));

    [Fact]
    public void MissingRequiredField_SaysWhatItExpects()
    {
        Assert.Equal(["$.learningRate: required field is missing (expected a number)"], Problems(With("learningRate", null)));
        Assert.Equal(["$.optimizer: required field is missing (expected one of \"adam\", \"sgd\", \"rmsProp\")"], Problems(With("optimizer", null)));
        Assert.Equal(["$.model: required field is missing (expected an object)"], Problems(With("model", null)));
    }

    [Fact]
    public void UnknownField_ListsTheKnownFieldsAndTheLikelyOne()
        => Assert.Equal(
            ["$.lerning_rate: unknown field \"lerning_rate\"; known fields: learningRate, epochs, optimizer, hiddenLayers, model, note; did you mean \"learningRate\"?"],
            Problems(With("lerning_rate", "0.1")));

    [Fact]
    public void UnknownField_WithNothingLikeIt_OnlyListsTheKnownFields()
        => Assert.Equal(
            ["$.model.layers[0].zzz: unknown field \"zzz\"; known fields: units, activation"],
            Problems(With("model", """{ "layers": [ { "units": 1, "zzz": 1 } ] }""")));

    [Fact]
    public void BadEnumValue_ListsTheChoices()
        => Assert.Equal(["$.optimizer: expected one of \"adam\", \"sgd\", \"rmsProp\", got \"adamw\""], Problems(With("optimizer", "\"adamw\"")));

    [Fact]
    public void EnumNames_MatchIgnoringCase_AsTheDeserializerReadsThem()
        => Assert.Empty(Problems(With("optimizer", "\"SGD\"")));

    [Fact]
    public void EnumGivenAsNumber_IsRefused_ThoughTheDeserializerWouldTakeIt()
        => Assert.Equal(["$.optimizer: expected one of \"adam\", \"sgd\", \"rmsProp\", got 1"], Problems(With("optimizer", "1")));

    [Fact]
    public void NullForNonNullable_IsAProblem()
    {
        Assert.Equal(["$.learningRate: expected a number, got null"], Problems(With("learningRate", "null")));
        Assert.Equal(["$.optimizer: expected one of \"adam\", \"sgd\", \"rmsProp\", got null"], Problems(With("optimizer", "null")));
        Assert.Equal(["$.hiddenLayers[1]: expected an integer, got null"], Problems(With("hiddenLayers", "[1, null]")));
    }

    [Fact]
    public void WrongContainer_SaysWhichWasGiven()
    {
        Assert.Equal(["$.model: expected an object, got an array"], Problems(With("model", "[]")));
        Assert.Equal(["$.hiddenLayers: expected an array, got an object"], Problems(With("hiddenLayers", "{}")));
        Assert.Equal(["$: expected an object, got an array"], Problems("[]"));
        Assert.Equal(["$: expected an object, got null"], Problems("null"));
    }

    [Fact]
    public void NullableField_NamesNullAmongTheChoices()
        => Assert.Equal(["$.note: expected a string or null, got 5"], Problems(With("note", "5")));

    [Fact]
    public void Paths_FollowArraysAndNestedObjects()
    {
        Assert.Equal(["$.hiddenLayers[2]: expected an integer, got the string \"x\""], Problems(With("hiddenLayers", """[1, 2, "x"]""")));
        Assert.Equal(
            ["$.model.layers[0].units: expected an integer, got true"],
            Problems(With("model", """{ "layers": [ { "units": true } ] }""")));
        Assert.Equal(
            ["$.model.layers[1].units: required field is missing (expected an integer)"],
            Problems(With("model", """{ "layers": [ { "units": 1 }, { "activation": "tanh" } ] }""")));
    }

    [Fact]
    public void AllProblems_AreReported_InDocumentOrder()
    {
        const string input = """
            {
              "epochs": "ten",
              "optimizer": "adamw",
              "lerning_rate": 0.1,
              "hiddenLayers": [1, 2.5, null],
              "model": { "layers": [ { "units": 1, "activation": null } ], "head": [] }
            }
            """;
        Assert.Equal(
            [
                "$.epochs: expected an integer, got the string \"ten\"",
                "$.optimizer: expected one of \"adam\", \"sgd\", \"rmsProp\", got \"adamw\"",
                "$.lerning_rate: unknown field \"lerning_rate\"; known fields: learningRate, epochs, optimizer, hiddenLayers, model, note; did you mean \"learningRate\"?",
                "$.hiddenLayers[1]: expected an integer, got 2.5",
                "$.hiddenLayers[2]: expected an integer, got null",
                "$.model.layers[0].activation: expected a string, got null",
                "$.model.head: expected an object or null, got an array",
                "$.learningRate: required field is missing (expected a number)",
            ],
            Problems(input));
    }

    [Fact]
    public void FieldNames_MatchIgnoringCase_AsTheDeserializerReadsThem()
        => Assert.Empty(Problems(Valid.Replace("\"epochs\"", "\"Epochs\"", StringComparison.Ordinal)));

    [Fact]
    public void AFieldGivenTwice_IsAProblem_IgnoringCaseForDeclaredFields_ButNotForDictionaryKeys()
    {
        Assert.Equal(["$.epochs: this field is given more than once; give it once"],
            Problems(Valid.Replace("\"epochs\": 10,", "\"epochs\": 10, \"epochs\": 20,", StringComparison.Ordinal)));
        Assert.Equal(["$.Epochs: this field is given more than once; give it once"],
            Problems(Valid.Replace("\"epochs\": 10,", "\"epochs\": 10, \"Epochs\": 20,", StringComparison.Ordinal)));

        var sweep = RoutineSchema.For(typeof(SweepSettings));
        Assert.Empty(Problems("""{ "metric": "loss", "trials": 1, "grid": { "lr": 0.1, "LR": 0.2 } }""", sweep));
        Assert.Equal(["$.grid.lr: this field is given more than once; give it once"],
            Problems("""{ "metric": "loss", "trials": 1, "grid": { "lr": 0.1, "lr": 0.2 } }""", sweep));
    }

    [Fact]
    public void OddFieldNames_AreQuotedInThePath()
        => Assert.Equal(["$['learning rate']"], InputValidator.Validate(Train, With("learning rate", "1")).Select(p => p.Path));

    [Fact]
    public void RequiredMembers_AndByteRange_AndDictionaryValues()
    {
        var sweep = RoutineSchema.For(typeof(SweepSettings));
        Assert.Empty(Problems("""{ "metric": "loss", "trials": 255, "fallback": null, "grid": { "lr": 0.1 } }""", sweep));
        Assert.Equal(
            [
                "$.trials: expected an integer from 0 to 255, got 256",
                "$.grid.lr: expected a number, got the string \"0.1\"",
                "$.metric: required field is missing (expected a string)",
            ],
            Problems("""{ "trials": 256, "grid": { "lr": "0.1" } }""", sweep));
    }

    [Fact]
    public void RecursiveType_IsFollowedThroughRefs()
    {
        var tree = RoutineSchema.For(typeof(TreeNode));
        Assert.Empty(Problems("""{ "name": "root", "children": [ { "name": "a", "children": [] } ] }""", tree));
        Assert.Equal(
            [
                "$.children[0].children[0].name: expected a string, got 7",
                "$.parent.parent.children: required field is missing (expected an array)",
            ],
            Problems("""
                {
                  "name": "root",
                  "children": [ { "name": "a", "children": [ { "name": 7, "children": [] } ] } ],
                  "parent": { "name": "p", "children": [], "parent": { "name": "q" } }
                }
                """, tree));
    }

    [Fact]
    public void Refs_ArePointersIntoTheSameDocument()
    {
        var schema = JsonNode.Parse("""
            {
              "type": "object",
              "properties": {
                "x": { "type": "integer" },
                "y": { "$ref": "#/properties/x" },
                "z": { "$ref": "#/$defs/point" }
              },
              "$defs": { "point": { "type": "array", "items": { "$ref": "#/properties/x" } } }
            }
            """)!;
        Assert.Equal(
            ["$.y: expected an integer, got the string \"1\"", "$.z[1]: expected an integer, got 0.5"],
            Problems("""{ "x": 1, "y": "1", "z": [1, 0.5] }""", schema));
    }

    [Fact]
    public void RefPointingNowhere_IsASchemaError()
    {
        var schema = JsonNode.Parse("""{ "properties": { "x": { "$ref": "#/properties/nope" } } }""")!;
        var error = Assert.Throws<ArgumentException>(() => InputValidator.Validate(schema, "{}"));
        Assert.Contains("points nowhere", error.Message);
    }

    [Fact]
    public void PolymorphicInput_IsCheckedAgainstTheAlternativeItsDiscriminatorNames()
    {
        var schema = RoutineSchema.For(typeof(ScheduledTraining));
        Assert.Empty(Problems("""{ "schedule": { "$type": "step", "rate": 0.1, "every": 5 }, "epochs": 3 }""", schema));
        Assert.Equal(
            ["$.schedule.every: expected an integer, got the string \"5\""],
            Problems("""{ "schedule": { "$type": "step", "rate": 0.1, "every": "5" }, "epochs": 3 }""", schema));
        Assert.Equal(
            ["$.schedule.$type: expected one of \"constant\", \"step\", got \"cosine\""],
            Problems("""{ "schedule": { "$type": "cosine", "rate": 0.1 }, "epochs": 3 }""", schema));
        Assert.Equal(
            ["$.schedule.$type: required field is missing"],
            Problems("""{ "schedule": { "rate": 0.1 }, "epochs": 3 }""", schema));
    }

    [Fact]
    public void Formats_DateTimeDateAndUuid_AreChecked()
    {
        var schema = JsonNode.Parse("""
            { "properties": { "at": { "type": "string", "format": "date-time" }, "on": { "type": "string", "format": "date" }, "id": { "type": "string", "format": "uuid" } } }
            """)!;
        Assert.Empty(Problems("""{ "at": "2024-05-01T12:00:00Z", "on": "2024-05-01", "id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301" }""", schema));
        Assert.Equal(
            [
                "$.at: expected a date and time in ISO 8601 (like \"2024-05-01T12:00:00Z\"), got the string \"yesterday\"",
                "$.on: expected a date in ISO 8601 (like \"2024-05-01\"), got the string \"2024-02-30\"",
                "$.id: expected a UUID (like \"3f2504e0-4f89-11d3-9a0c-0305e82c3301\"), got the string \"42\"",
            ],
            Problems("""{ "at": "yesterday", "on": "2024-02-30", "id": "42" }""", schema));
    }

    [Fact]
    public void LongStrings_AreShortenedInMessages()
    {
        var problem = Assert.Single(InputValidator.Validate(Train, With("epochs", $"\"{new string('a', 500)}\""))).Problem;
        Assert.Equal($"expected an integer, got the string \"{new string('a', 60)}…\"", problem);
    }

    [Fact]
    public void OneSchema_ServesManyThreadsAtOnce()
    {
        var schema = RoutineSchema.For(typeof(TrainInput));
        var bad = With("epochs", "\"ten\"");
        var results = new string[200][];
        Parallel.For(0, results.Length, i => results[i] = Problems(i % 2 == 0 ? Valid : bad, schema));
        for (var i = 0; i < results.Length; i++) Assert.Equal(i % 2 == 0 ? 0 : 1, results[i].Length);
    }
}
