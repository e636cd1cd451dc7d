using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Routines.Serialization;
using Routines.Ui.Forms;

namespace Routines.Ui.Components;

/// <summary>
/// A form generated from an input JSON schema. Submit builds the JSON, checks it with <see cref="InputValidator"/>,
/// shows each problem at its field (or above the form), and only hands valid JSON to <see cref="OnSubmit"/>.
/// </summary>
public sealed partial class SchemaForm
{
    JsonObject? _schema;
    string? _loadedSchema;
    FormNode? _root;
    bool _rawJson;
    string? _json;
    bool _busy;
    string? _schemaError;
    IReadOnlyList<InputProblem> _unowned = [];

    /// <summary>The routine's input schema as JSON text.</summary>
    [Parameter, EditorRequired]
    public string Schema { get; set; } = "{}";

    /// <summary>Receives the valid input JSON.</summary>
    [Parameter]
    public EventCallback<string> OnSubmit { get; set; }

    [Parameter]
    public string SubmitText { get; set; } = "Run";

    protected override void OnParametersSet()
    {
        if (Schema == _loadedSchema) return;
        _loadedSchema = Schema;
        try
        {
            _schema = JsonNode.Parse(Schema) as JsonObject ?? [];
            _root = FormNode.ForSchema(_schema);
            _schemaError = null;
            // A schema the form cannot draw at the top level is edited as JSON.
            _rawJson = _root.Kind == FormKind.Json;
            _json = _rawJson ? "{}" : null;
        }
        catch (JsonException exception)
        {
            _schemaError = $"The routine's input schema is not valid JSON ({exception.Message}); its worker advertised a broken schema.";
        }
    }

    void OnChanged() => _unowned = [];

    Task SetRawJsonAsync(bool raw)
    {
        if (raw == _rawJson || _root is null) return Task.CompletedTask;
        _unowned = [];
        if (raw)
        {
            var problems = new List<InputProblem>();
            _json = _root.ToJson(problems)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "{}";
            _rawJson = true;
            return Task.CompletedTask;
        }

        try
        {
            _root.Load(JsonNode.Parse(_json ?? "{}"));
            _root.ClearProblems();
            _rawJson = false;
        }
        catch (JsonException exception)
        {
            _unowned = [new InputProblem("$", $"malformed JSON: {exception.Message}; fix it before switching to the form")];
        }

        return Task.CompletedTask;
    }

    /// <summary>The JSON the form currently makes, and the problems found building it.</summary>
    internal (string Json, List<InputProblem> Problems) Build()
    {
        var problems = new List<InputProblem>();
        if (_rawJson) return (_json ?? "", problems);
        var json = _root!.ToJson(problems)?.ToJsonString() ?? "{}";
        return (json, problems);
    }

    async Task SubmitAsync()
    {
        if (_schema is null || _root is null) return;
        var (json, problems) = Build();
        problems.AddRange(InputValidator.Validate(_schema, json));
        _unowned = _rawJson ? problems : _root.Attach(problems);
        if (problems.Count > 0) return;

        _busy = true;
        try
        {
            await OnSubmit.InvokeAsync(json);
        }
        finally
        {
            _busy = false;
        }
    }
}
