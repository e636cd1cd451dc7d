using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Routines.Serialization;

/// <summary>
/// JSON schemas of routine input and output types, in the <see cref="RoutineJson"/> dialect. A worker advertises its
/// routines' schemas; the service checks inputs against them with <see cref="InputValidator"/> without the user's
/// types; the console builds forms from them.
/// </summary>
/// <remarks>
/// The schema is <see cref="JsonSchemaExporter"/>'s, made to say what the dialect enforces: objects are closed
/// (<c>"additionalProperties": false</c>), integer fields carry their type's <c>minimum</c>/<c>maximum</c> (a
/// <c>byte</c> refuses 256), and a property's <see cref="DescriptionAttribute"/> becomes its <c>"description"</c>.
/// Required members and constructor parameters without a default are listed in <c>"required"</c>; nullable
/// references allow <c>null</c> (the document itself never is null); enums are <c>"enum"</c> lists of their camelCase names; a recursive type refers to
/// itself with a local <c>"$ref"</c> such as <c>"#"</c> or <c>"#/properties/parent"</c>.
/// </remarks>
internal static class RoutineSchema
{
    /// <summary>The JSON schema of <paramref name="type"/> as read with <paramref name="options"/>.</summary>
    /// <param name="type">A routine's input or output type.</param>
    /// <param name="options">The routine's JSON options; <see cref="RoutineJson.Default"/> when null.</param>
    /// <exception cref="NotSupportedException">The type cannot be described (the message names the member to change).</exception>
    public static JsonObject For(Type type, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        options ??= RoutineJson.Default;
        var exporterOptions = new JsonSchemaExporterOptions { TransformSchemaNode = Transform };

        JsonNode schema;
        try
        {
            schema = options.GetJsonSchemaAsNode(type, exporterOptions);
        }
        catch (JsonException e) when (FindStructParameterDefaultedToDefault(type) is { } parameter)
        {
            throw new NotSupportedException(
                $"Cannot write the JSON schema of {type.FullName}: constructor parameter '{parameter.Name}' of "
                + $"{parameter.Member.DeclaringType?.FullName} is a {parameter.ParameterType.Name} declared '= default', which "
                + "System.Text.Json's schema exporter cannot handle in .NET 10 (dotnet/runtime#133178). Make it nullable "
                + $"('{parameter.ParameterType.Name}? {parameter.Name} = null') or turn it into a property with an initializer.", e);
        }

        // A type the exporter can say nothing about comes back as the boolean schema true (anything) or false (nothing).
        var root = schema switch
        {
            JsonObject node => node,
            JsonValue value when value.GetValueKind() == JsonValueKind.False => new JsonObject { ["not"] = true },
            _ => [],
        };
        RefuseNullDocument(root);
        return root;
    }

    /// <summary>
    /// A <see cref="Type"/> carries no nullability annotation, so the exporter lets the whole document be null; a
    /// routine's input or output never is, and a null input would only fail later inside the routine.
    /// </summary>
    static void RefuseNullDocument(JsonObject root)
    {
        if (root["type"] is not JsonArray types) return;
        var kept = types.Where(t => t?.GetValueKind() != JsonValueKind.String || t.GetValue<string>() != "null").Select(t => t?.DeepClone()).ToArray();
        if (kept.Length == types.Count) return;
        root["type"] = kept.Length == 1 ? kept[0] : new JsonArray(kept);
    }

    static JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
    {
        var typeInfo = context.TypeInfo;
        if (RoutineReference(typeInfo.Type) is { } reference) return reference;
        if (typeInfo.Type == typeof(Artifact)) return ArtifactReference(nullable: schema is JsonObject { } exported && HasType(exported, "null"));
        if (schema is not JsonObject node || node.ContainsKey("$ref")) return schema;

        // The dialect refuses unknown members; say so, unless the object is polymorphic (its "anyOf" branches are
        // closed instead) or keeps unknown members in an extension-data property.
        if (typeInfo.Kind == JsonTypeInfoKind.Object
            && typeInfo.PolymorphismOptions is null
            && !node.ContainsKey("additionalProperties")
            && !node.ContainsKey("anyOf")
            && (typeInfo.UnmappedMemberHandling ?? typeInfo.Options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow
            && !typeInfo.Properties.Any(p => p.IsExtensionData))
        {
            node["additionalProperties"] = false;
        }

        // The deserializer refuses an integer its type cannot hold, so the schema states the range.
        if (RangeOf(Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type) is var (minimum, maximum)
            && !node.ContainsKey("minimum") && !node.ContainsKey("maximum")
            && (HasType(node, "integer") || HasType(node, "number")))
        {
            node["minimum"] = minimum;
            node["maximum"] = maximum;
        }

        var description = DescriptionOf(context.PropertyInfo?.AttributeProvider) ?? DescriptionOf(typeInfo.Type);
        if (description is not null && !node.ContainsKey("description")) node.Insert(0, "description", description);

        return node;
    }

    /// <summary>
    /// A <see cref="RoutineRef{TInput,TOutput}"/> is a string naming a routine; <c>"x-routine"</c> says which input and
    /// output types that routine must have, for the service's check at submit and the console's choice of routines.
    /// </summary>
    static JsonObject? RoutineReference(Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type) is not null;
        var reference = Nullable.GetUnderlyingType(type) ?? type;
        if (!reference.IsGenericType || reference.GetGenericTypeDefinition() != typeof(RoutineRef<,>)) return null;
        var (input, output) = (reference.GenericTypeArguments[0], reference.GenericTypeArguments[1]);
        return new JsonObject
        {
            ["type"] = nullable ? new JsonArray("string", "null") : "string",
            ["minLength"] = 1,
            ["x-routine"] = new JsonObject { ["input"] = input.FullName ?? input.Name, ["output"] = output.FullName ?? output.Name },
        };
    }

    /// <summary>An <see cref="Artifact"/>: its fixed members (<see cref="ArtifactJsonConverter"/>), marked <c>"x-artifact"</c> for the console.</summary>
    static JsonObject ArtifactReference(bool nullable) => new()
    {
        ["type"] = nullable ? new JsonArray("object", "null") : "object",
        ["x-artifact"] = true,
        ["properties"] = new JsonObject
        {
            [ArtifactJsonConverter.HashMember] = new JsonObject { ["type"] = "string", ["pattern"] = "^sha256:[0-9a-f]{64}$" },
            ["size"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = long.MaxValue },
            ["mediaType"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
            ["name"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
        },
        ["required"] = new JsonArray(ArtifactJsonConverter.HashMember, "size", "mediaType"),
        ["additionalProperties"] = false,
    };

    static (JsonNode Minimum, JsonNode Maximum)? RangeOf(Type type) => Type.GetTypeCode(type) switch
    {
        _ when type.IsEnum => null,
        TypeCode.Byte => (byte.MinValue, byte.MaxValue),
        TypeCode.SByte => (sbyte.MinValue, sbyte.MaxValue),
        TypeCode.Int16 => (short.MinValue, short.MaxValue),
        TypeCode.UInt16 => (ushort.MinValue, ushort.MaxValue),
        TypeCode.Int32 => (int.MinValue, int.MaxValue),
        TypeCode.UInt32 => (uint.MinValue, uint.MaxValue),
        TypeCode.Int64 => (long.MinValue, long.MaxValue),
        TypeCode.UInt64 => (ulong.MinValue, ulong.MaxValue),
        TypeCode.Decimal => (decimal.MinValue, decimal.MaxValue),
        _ => null,
    };

    static bool HasType(JsonObject node, string type) => node["type"] switch
    {
        JsonValue value => value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == type,
        JsonArray types => types.Any(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == type),
        _ => false,
    };

    static string? DescriptionOf(ICustomAttributeProvider? member)
        => member?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: true) is [DescriptionAttribute first, ..]
           && !string.IsNullOrWhiteSpace(first.Description)
            ? first.Description
            : null;

    /// <summary>
    /// Finds a constructor parameter like <c>TimeSpan Timeout = default</c> in the type graph: its reflected default
    /// value is null, which the .NET 10 exporter fails to write as the schema's "default". Only used to explain that failure.
    /// </summary>
    static ParameterInfo? FindStructParameterDefaultedToDefault(Type root)
    {
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>([root]);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type)) continue;
            if (type.IsArray && type.GetElementType() is { } element) pending.Enqueue(element);
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : []) pending.Enqueue(argument);
            if (type.Namespace is "System" || type.Namespace?.StartsWith("System.", StringComparison.Ordinal) == true) continue;
            foreach (var constructor in type.GetConstructors())
            {
                foreach (var parameter in constructor.GetParameters())
                {
                    if (parameter is { HasDefaultValue: true, DefaultValue: null, ParameterType.IsValueType: true }
                        && Nullable.GetUnderlyingType(parameter.ParameterType) is null)
                    {
                        return parameter;
                    }

                    pending.Enqueue(parameter.ParameterType);
                }
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)) pending.Enqueue(property.PropertyType);
        }

        return null;
    }
}
