using System.Text.Json.Nodes;
using Bunit;
using Routines.Serialization;
using Routines.Ui.Components;
using Routines.Ui.Forms;

namespace Routines.Ui.Tests.Components;

public sealed class SchemaFormTests : ConsoleTestContext
{
    const string Schema = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string", "description": "What to call the model" },
            "epochs": { "type": "integer", "minimum": 1 },
            "mode": { "enum": ["fast", "slow"] },
            "shuffle": { "type": "boolean", "default": true },
            "rates": { "type": ["array", "null"], "items": { "type": "number" }, "default": null },
            "layer": {
              "type": "object",
              "properties": { "units": { "type": "integer" }, "activation": { "type": "string" } },
              "required": ["units"],
              "additionalProperties": false
            },
            "extra": { "anyOf": [ { "type": "string" }, { "type": "integer" } ] }
          },
          "required": ["name", "epochs"],
          "additionalProperties": false
        }
        """;

    [Fact]
    public void Submit_WithMissingAndInvalidFields_ShowsMessagesAtTheFields_AndDoesNotSubmit()
    {
        string? submitted = null;
        var cut = Render<SchemaForm>(p => p.Add(x => x.Schema, Schema).Add(x => x.OnSubmit, json => submitted = json));

        cut.Find("input[data-path='$.epochs']").Input("0");
        cut.Find(".run-submit").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("required field is missing", FieldMessage(cut, "$.name"));
            Assert.Contains("1", FieldMessage(cut, "$.epochs"));
            Assert.Contains("required field is missing", FieldMessage(cut, "$.layer.units"));
        });
        Assert.Null(submitted);
    }

    [Fact]
    public void Submit_WithValidFields_HandsOverTheJson()
    {
        string? submitted = null;
        var cut = Render<SchemaForm>(p => p.Add(x => x.Schema, Schema).Add(x => x.OnSubmit, json => submitted = json));

        cut.Find("input[data-path='$.name']").Input("iris-model");
        cut.Find("input[data-path='$.epochs']").Input("20");
        cut.Find("input[data-path='$.layer.units']").Input("8");
        cut.Find(".schema-list[data-path='$.rates'] .add-item").Click();
        cut.Find("input[data-path='$.rates[0]']").Input("0.5");
        cut.Find("textarea[data-path='$.extra']").Input("\"any\"");
        cut.Find(".run-submit").Click();

        cut.WaitForAssertion(() => Assert.NotNull(submitted));
        var json = JsonNode.Parse(submitted!)!;
        Assert.Equal("iris-model", (string?)json["name"]);
        Assert.Equal(20, (int?)json["epochs"]);
        Assert.True((bool?)json["shuffle"]);
        Assert.Equal(0.5, (double?)json["rates"]![0]);
        Assert.Equal(8, (int?)json["layer"]!["units"]);
        Assert.Equal("any", (string?)json["extra"]);
        Assert.Empty(InputValidator.Validate(JsonNode.Parse(Schema)!, submitted!));
    }

    [Fact]
    public void RawJsonMode_IsValidatedToo()
    {
        string? submitted = null;
        var cut = Render<SchemaForm>(p => p.Add(x => x.Schema, Schema).Add(x => x.OnSubmit, json => submitted = json));

        cut.FindAll(".form-mode button").Last().Click();
        cut.Find(".raw-json textarea").Input("""{"name": "x", "epochs": "ten"}""");
        cut.Find(".run-submit").Click();

        cut.WaitForAssertion(() => Assert.Contains("$.epochs", cut.Find(".form-problems").TextContent));
        Assert.Null(submitted);
    }

    [Fact]
    public void FormNode_ForTheSampleInput_StartsFromTheDefaults()
    {
        var schema = (JsonObject)JsonNode.Parse("""
            {"type":"object","properties":{"dataset":{"type":"string","default":"iris"},"epochs":{"type":"integer","default":100},
             "learningRates":{"type":["array","null"],"items":{"type":"number"},"default":null}},"additionalProperties":false}
            """)!;

        var root = FormNode.ForSchema(schema);

        Assert.Equal([FormKind.String, FormKind.Integer, FormKind.Array], root.Properties.Select(p => p.Kind));
        Assert.Equal("""{"dataset":"iris","epochs":100}""", root.ToJson([])!.ToJsonString());
    }

    static string FieldMessage(IRenderedComponent<SchemaForm> cut, string path)
    {
        var input = cut.Find($"[data-path='{path}']");
        // MudBlazor writes a field's error text in the helper line of the input's control.
        var control = input.Closest(".mud-input-control") ?? input;
        return control.TextContent;
    }
}
