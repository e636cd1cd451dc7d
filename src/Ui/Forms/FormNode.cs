using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routines.Serialization;

namespace Routines.Ui.Forms;

/// <summary>
/// One field of a Run form generated from a routine's input JSON schema: its editor kind, its value, and, after a
/// validation, the problems found at its JSON path. Builds the input JSON back from the values.
/// </summary>
public sealed class FormNode
{
    /// <summary>Past this depth a recursive schema is edited as raw JSON.</summary>
    const int MaxDepth = 8;

    readonly JsonObject _root;
    readonly JsonObject _schema;
    readonly int _depth;

    FormNode(JsonObject root, JsonObject schema, string name, string path, bool required, int depth)
    {
        _root = root;
        _schema = schema;
        _depth = depth;
        Name = name;
        Path = path;
        Required = required;
        Description = schema["description"]?.GetValueKind() == JsonValueKind.String ? schema["description"]!.GetValue<string>() : null;
        (Kind, Nullable) = KindOf(schema, depth);
        if (Kind == FormKind.Enum)
        {
            EnumValues = [.. ((JsonArray)schema["enum"]!).Where(v => v?.GetValueKind() == JsonValueKind.String).Select(v => v!.GetValue<string>())];
        }

        Minimum = NumberOf(schema["minimum"]);
        Maximum = NumberOf(schema["maximum"]);
        if (Kind == FormKind.Object)
        {
            var requiredNames = schema["required"] is JsonArray r ? r.Select(n => n?.GetValue<string>()).OfType<string>().ToHashSet() : [];
            if (schema["properties"] is JsonObject properties)
            {
                foreach (var (propertyName, propertySchema) in properties)
                {
                    Properties.Add(new FormNode(root, Resolve(root, propertySchema), propertyName, $"{path}.{propertyName}", requiredNames.Contains(propertyName), depth + 1));
                }
            }

            // An optional object that may be null starts left out; the user adds it.
            Included = required || !Nullable;
        }

        Reset();
    }

    /// <summary>The property name (or "item n" for a list item).</summary>
    public string Name { get; }

    /// <summary>The JSON path the validator reports problems at: <c>$.epochs</c>, <c>$.rates[0]</c>.</summary>
    public string Path { get; private set; }

    public FormKind Kind { get; }

    public bool Required { get; }

    /// <summary>The schema allows null: an empty field sends nothing (or null).</summary>
    public bool Nullable { get; }

    public string? Description { get; }

    public IReadOnlyList<string> EnumValues { get; } = [];

    public double? Minimum { get; }

    public double? Maximum { get; }

    /// <summary>Fields of an object, in schema order.</summary>
    public List<FormNode> Properties { get; } = [];

    /// <summary>Items of a list.</summary>
    public List<FormNode> Items { get; } = [];

    /// <summary>An optional object or list is sent only when included.</summary>
    public bool Included { get; set; }

    public long? Integer { get; set; }

    public double? Number { get; set; }

    public string? Text { get; set; }

    public bool Boolean { get; set; }

    /// <summary>Problems the last validation found at this field's path.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The form's root field for an input schema.</summary>
    public static FormNode ForSchema(JsonObject schema) => new(schema, schema, "input", "$", required: true, depth: 0);

    /// <summary>Adds an empty item to a list (and includes the list).</summary>
    public FormNode AddItem()
    {
        var itemSchema = Resolve(_root, _schema["items"]);
        var item = new FormNode(_root, itemSchema, $"item {Items.Count + 1}", $"{Path}[{Items.Count}]", required: true, _depth + 1);
        Items.Add(item);
        Included = true;
        return item;
    }

    public void RemoveItem(FormNode item)
    {
        Items.Remove(item);
        for (var i = 0; i < Items.Count; i++) Items[i].Repath($"{Path}[{i}]");
    }

    /// <summary>The input JSON the values make; fields left empty are left out, so the validator names missing ones.</summary>
    public JsonNode? ToJson(List<InputProblem> problems)
    {
        switch (Kind)
        {
            case FormKind.Object:
                if (!Included) return null;
                var obj = new JsonObject();
                foreach (var property in Properties)
                {
                    if (property.ToJson(problems) is { } value) obj[property.Name] = value;
                    else if (property.Included && property.Nullable && property.Kind is FormKind.Object or FormKind.Array) obj[property.Name] = null;
                }

                return obj;
            case FormKind.Array:
                if (!Included) return null;
                return new JsonArray([.. Items.Select(i => i.ToJson(problems))]);
            case FormKind.Integer:
                return Integer is { } whole ? JsonValue.Create(whole) : null;
            case FormKind.Number:
                return Number is { } number ? JsonValue.Create(number) : null;
            case FormKind.String:
            case FormKind.Enum:
                return string.IsNullOrEmpty(Text) ? null : JsonValue.Create(Text);
            case FormKind.Boolean:
                return JsonValue.Create(Boolean);
            default:
                if (string.IsNullOrWhiteSpace(Text)) return null;
                try
                {
                    return JsonNode.Parse(Text);
                }
                catch (JsonException exception)
                {
                    problems.Add(new InputProblem(Path, $"not valid JSON: {exception.Message}"));
                    return null;
                }
        }
    }

    /// <summary>Fills the fields from an input JSON (switching back from the raw JSON editor).</summary>
    public void Load(JsonNode? value)
    {
        switch (Kind)
        {
            case FormKind.Object:
                Included = value is JsonObject || Required || !Nullable;
                foreach (var property in Properties)
                {
                    var match = value is JsonObject o ? o.FirstOrDefault(p => string.Equals(p.Key, property.Name, StringComparison.OrdinalIgnoreCase)) : default;
                    if (match.Key is not null) property.Load(match.Value);
                    else property.Reset();
                }

                break;
            case FormKind.Array:
                Items.Clear();
                Included = value is JsonArray;
                if (value is JsonArray array)
                {
                    foreach (var element in array) AddItem().Load(element);
                }

                break;
            case FormKind.Integer:
                Integer = value is JsonValue i && i.TryGetValue<long>(out var whole) ? whole : null;
                break;
            case FormKind.Number:
                Number = value is JsonValue n && n.TryGetValue<double>(out var number) ? number : null;
                break;
            case FormKind.String:
            case FormKind.Enum:
                Text = value is JsonValue s && s.TryGetValue<string>(out var text) ? text : value?.ToJsonString();
                break;
            case FormKind.Boolean:
                Boolean = value is JsonValue b && b.TryGetValue<bool>(out var flag) && flag;
                break;
            default:
                Text = value?.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
                break;
        }
    }

    /// <summary>Clears the last validation's messages here and below.</summary>
    public void ClearProblems()
    {
        Problems.Clear();
        foreach (var child in Properties.Concat(Items)) child.ClearProblems();
    }

    /// <summary>Attaches each problem to the field at its path; returns the ones no field owns (shown above the form).</summary>
    public IReadOnlyList<InputProblem> Attach(IEnumerable<InputProblem> problems)
    {
        ClearProblems();
        var byPath = new Dictionary<string, FormNode>(StringComparer.OrdinalIgnoreCase);
        Index(byPath);
        var unowned = new List<InputProblem>();
        foreach (var problem in problems)
        {
            if (problem.Path != "$" && byPath.TryGetValue(problem.Path, out var node)) node.Problems.Add(problem.Problem);
            else unowned.Add(problem);
        }

        return unowned;
    }

    void Index(Dictionary<string, FormNode> byPath)
    {
        byPath[Path] = this;
        foreach (var child in Properties.Concat(Items)) child.Index(byPath);
    }

    void Repath(string path)
    {
        Path = path;
        foreach (var property in Properties) property.Repath($"{path}.{property.Name}");
        for (var i = 0; i < Items.Count; i++) Items[i].Repath($"{path}[{i}]");
    }

    /// <summary>Back to the schema's default value (or empty).</summary>
    void Reset()
    {
        var hasDefault = _schema.TryGetPropertyValue("default", out var fallback);
        if (Kind is FormKind.Object)
        {
            foreach (var property in Properties) property.Reset();
            Included = Required || !Nullable;
            return;
        }

        if (Kind is FormKind.Array)
        {
            Items.Clear();
            Included = Required && !Nullable;
            if (hasDefault && fallback is JsonArray defaults) Load(defaults);
            return;
        }

        if (hasDefault) Load(fallback);
        else
        {
            Integer = null;
            Number = null;
            Text = null;
            Boolean = false;
        }
    }

    static (FormKind Kind, bool Nullable) KindOf(JsonObject schema, int depth)
    {
        if (depth > MaxDepth) return (FormKind.Json, true);
        if (schema["enum"] is JsonArray values && values.Any(v => v?.GetValueKind() == JsonValueKind.String)) return (FormKind.Enum, values.Any(v => v is null));

        var types = schema["type"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray a => a.Select(t => t?.GetValue<string>()).OfType<string>().ToList(),
            _ => new List<string>(),
        };
        var nullable = types.Remove("null");
        if (types.Count != 1 || schema.ContainsKey("anyOf") || schema.ContainsKey("oneOf")) return (FormKind.Json, true);
        return (types[0] switch
        {
            "object" => FormKind.Object,
            "array" => FormKind.Array,
            "integer" => FormKind.Integer,
            "number" => FormKind.Number,
            "string" => FormKind.String,
            "boolean" => FormKind.Boolean,
            _ => FormKind.Json,
        }, nullable);
    }

    /// <summary>Follows local <c>$ref</c> pointers; a boolean or missing schema becomes an empty one (raw JSON).</summary>
    static JsonObject Resolve(JsonObject root, JsonNode? schema)
    {
        for (var hops = 0; hops < 32 && schema is JsonObject o && o["$ref"] is JsonValue reference; hops++)
        {
            var pointer = reference.GetValue<string>();
            JsonNode? target = root;
            foreach (var token in pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                target = target switch
                {
                    JsonObject obj => obj[name],
                    JsonArray arr when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < arr.Count => arr[i],
                    _ => null,
                };
            }

            schema = target;
        }

        return schema as JsonObject ?? [];
    }

    static double? NumberOf(JsonNode? node)
        => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;
}
