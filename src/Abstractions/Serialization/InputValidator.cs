using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Routines.Serialization;

/// <summary>
/// Checks an input JSON against a routine's input schema (see <see cref="RoutineSchema.For"/>) and lists every
/// problem with its JSON path, so the service refuses bad input before it records or runs anything — without
/// having the routine's types.
/// </summary>
/// <remarks>
/// <para>
/// It reads the part of JSON Schema that <see cref="System.Text.Json.Schema.JsonSchemaExporter"/> writes:
/// <c>type</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>, <c>enum</c>,
/// <c>const</c>, local <c>$ref</c> pointers, <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>/<c>not</c>, numeric bounds,
/// string and array lengths, <c>pattern</c>, and the formats <c>date-time</c>, <c>date</c> and <c>uuid</c>. Other
/// keywords are ignored.
/// </para>
/// <para>
/// Where JSON Schema and the <see cref="RoutineJson"/> deserializer disagree it sides with the deserializer, so
/// that what passes here also deserializes: <c>"integer"</c> means a number written without fraction or exponent
/// (<c>3.0</c> is refused), and field names and enum names that match only ignoring case are accepted. It is
/// stricter in two places: a <c>null</c> document for an object type, and enum values given as numbers or as
/// comma-separated names, are refused.
/// </para>
/// <para>
/// A schema is compiled on first use and cached for as long as the <see cref="JsonNode"/> lives; do not change
/// it afterwards. Validation is thread-safe and uses no reflection.
/// </para>
/// </remarks>
public static class InputValidator
{
    static readonly ConditionalWeakTable<JsonNode, Schema> Compiled = new();
    static readonly Lock CompileLock = new();

    /// <summary>
    /// All problems of <paramref name="inputJson"/> against <paramref name="schema"/>, in document order (a missing
    /// field after the fields of its object); empty when the input is valid.
    /// </summary>
    /// <exception cref="ArgumentException">The schema is not a schema, or a <c>$ref</c> in it points nowhere.</exception>
    public static IReadOnlyList<InputProblem> Validate(JsonNode schema, string inputJson)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(inputJson);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(inputJson);
        }
        catch (JsonException e)
        {
            return [new InputProblem("$", Malformed(e, inputJson))];
        }

        using (document) return Validate(schema, document.RootElement);
    }

    /// <summary>All problems of an input already parsed, as <see cref="Validate(JsonNode, string)"/> finds them.</summary>
    /// <exception cref="ArgumentException">The schema is not a schema, or a <c>$ref</c> in it points nowhere.</exception>
    public static IReadOnlyList<InputProblem> Validate(JsonNode schema, JsonElement input)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (LoneSurrogates.Find(input) is { Count: > 0 } unwritable) return unwritable;
        var walker = new Walker();
        walker.Check(CompiledFor(schema), input, walker.Problems);
        return walker.Problems;
    }

    static Schema CompiledFor(JsonNode schema)
    {
        if (Compiled.TryGetValue(schema, out var compiled)) return compiled;

        // A JsonNode parsed from text materialises its children lazily and is not safe to read from two threads at
        // once, so compilation (the only reader of the node) runs under a lock; validation reads the compiled form.
        lock (CompileLock)
        {
            if (Compiled.TryGetValue(schema, out compiled)) return compiled;
            compiled = new Compiler(schema).Compile(schema, "#");
            Compiled.Add(schema, compiled);
            return compiled;
        }
    }

    static string Malformed(JsonException e, string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return "malformed JSON: the input is empty; expected a JSON value such as {}";

        // The reader's message ends with " LineNumber: 0 | BytePositionInLine: 6." (zero-based); say it for people.
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        message = message
            .Replace(" Change the reader options.", "", StringComparison.Ordinal)
            .Replace("The JSON object contains a trailing comma at the end which is not supported in this mode", "a comma ends the object; remove it", StringComparison.Ordinal)
            .Replace("The JSON array contains a trailing comma at the end which is not supported in this mode", "a comma ends the array; remove it", StringComparison.Ordinal)
            .TrimEnd().TrimEnd('.');
        if (message.StartsWith("The ", StringComparison.Ordinal)) message = "the" + message[3..];
        return $"malformed JSON: {message} at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}";
    }

    [Flags]
    enum Kinds
    {
        None = 0,
        Object = 1,
        Array = 2,
        String = 4,
        Integer = 8,
        Number = 16,
        Boolean = 32,
        Null = 64,
    }

    readonly record struct Bound(string Text, long? Whole, decimal? Exact, double Approximate);

    /// <summary>A schema compiled for fast checks; immutable once compiled.</summary>
    sealed class Schema
    {
        public bool Never;
        public Kinds Types;
        public Schema? Ref;
        public Dictionary<string, Schema>? Properties;
        public Dictionary<string, Schema>? PropertiesIgnoringCase;
        public string[] PropertyNames = [];
        public string[] Required = [];
        public Dictionary<string, int>? RequiredIndex;
        public bool ClosedObject;
        public Schema? AdditionalProperties;
        public Schema? Items;
        public JsonElement[]? Enum;
        public string?[] EnumStrings = [];
        public JsonElement? Const;
        public Schema[]? AnyOf;
        public Schema[]? AllOf;
        public Schema? Not;
        public Bound? Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum;
        public int? MinLength, MaxLength, MinItems, MaxItems;
        public Regex? Pattern;
        public string? Format;
    }

    sealed class Compiler(JsonNode root)
    {
        readonly Dictionary<JsonNode, Schema> compiled = new(ReferenceEqualityComparer.Instance);

        public Schema Compile(JsonNode? node, string where)
        {
            switch (node)
            {
                case JsonValue value when value.GetValueKind() == JsonValueKind.True:
                    return new Schema();
                case JsonValue value when value.GetValueKind() == JsonValueKind.False:
                    return new Schema { Never = true };
                case not JsonObject:
                    throw new ArgumentException($"The schema at {where} is not a JSON schema (an object, true or false).", "schema");
            }

            var keywords = (JsonObject)node;
            if (compiled.TryGetValue(keywords, out var done)) return done;

            // Registered before its children are compiled, so a "$ref" back to it (a recursive type) finds it.
            var schema = new Schema();
            compiled.Add(keywords, schema);

            foreach (var (keyword, argument) in keywords)
            {
                var at = $"{where}/{keyword}";
                switch (keyword)
                {
                    case "$ref": schema.Ref = Compile(Resolve(argument?.GetValue<string>() ?? "", at), at); break;
                    case "type": schema.Types = TypesOf(argument); break;
                    case "properties" when argument is JsonObject properties:
                        schema.Properties = new(StringComparer.Ordinal);
                        schema.PropertiesIgnoringCase = new(StringComparer.OrdinalIgnoreCase);
                        foreach (var (name, property) in properties)
                        {
                            var compiledProperty = Compile(property, $"{at}/{name}");
                            schema.Properties[name] = compiledProperty;
                            schema.PropertiesIgnoringCase.TryAdd(name, compiledProperty);
                        }

                        schema.PropertyNames = [.. schema.Properties.Keys];
                        break;
                    case "required" when argument is JsonArray required:
                        schema.Required = [.. required.Select(r => r?.GetValue<string>()).OfType<string>()];
                        schema.RequiredIndex = new(StringComparer.OrdinalIgnoreCase);
                        for (var i = 0; i < schema.Required.Length; i++) schema.RequiredIndex.TryAdd(schema.Required[i], i);
                        break;
                    case "additionalProperties":
                        if (argument is JsonValue closed && closed.GetValueKind() == JsonValueKind.False) schema.ClosedObject = true;
                        else schema.AdditionalProperties = Compile(argument, at);
                        break;
                    case "items" when argument is JsonObject or JsonValue: schema.Items = Compile(argument, at); break;
                    case "enum" when argument is JsonArray values:
                        schema.Enum = [.. JsonDocument.Parse(values.ToJsonString()).RootElement.EnumerateArray().Select(v => v.Clone())];
                        schema.EnumStrings = [.. schema.Enum.Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : null)];
                        break;
                    case "const": schema.Const = JsonDocument.Parse(argument?.ToJsonString() ?? "null").RootElement.Clone(); break;
                    case "anyOf" or "oneOf" when argument is JsonArray alternatives:
                        schema.AnyOf = [.. alternatives.Select((a, i) => Compile(a, $"{at}/{i}"))];
                        break;
                    case "allOf" when argument is JsonArray all: schema.AllOf = [.. all.Select((a, i) => Compile(a, $"{at}/{i}"))]; break;
                    case "not": schema.Not = Compile(argument, at); break;
                    case "minimum": schema.Minimum = BoundOf(argument); break;
                    case "maximum": schema.Maximum = BoundOf(argument); break;
                    case "exclusiveMinimum": schema.ExclusiveMinimum = BoundOf(argument); break;
                    case "exclusiveMaximum": schema.ExclusiveMaximum = BoundOf(argument); break;
                    case "minLength": schema.MinLength = CountOf(argument); break;
                    case "maxLength": schema.MaxLength = CountOf(argument); break;
                    case "minItems": schema.MinItems = CountOf(argument); break;
                    case "maxItems": schema.MaxItems = CountOf(argument); break;
                    case "pattern": schema.Pattern = PatternOf(argument); break;
                    case "format": schema.Format = argument is JsonValue f && f.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : null; break;
                }
            }

            return schema;
        }

        /// <summary>Follows a local JSON pointer such as <c>#</c> or <c>#/properties/parent</c>.</summary>
        JsonNode? Resolve(string reference, string where)
        {
            if (!reference.StartsWith('#'))
                throw new ArgumentException($"The schema's \"$ref\": \"{reference}\" at {where} is not local; only \"#...\" pointers are supported.", "schema");

            var node = (JsonNode?)root;
            foreach (var token in reference[1..].Split('/').Skip(1))
            {
                var name = Uri.UnescapeDataString(token).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                node = node switch
                {
                    JsonObject o when o.TryGetPropertyValue(name, out var child) => child,
                    JsonArray a when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                    _ => throw new ArgumentException($"The schema's \"$ref\": \"{reference}\" at {where} points nowhere.", "schema"),
                };
            }

            return node;
        }

        static Kinds TypesOf(JsonNode? argument) => argument switch
        {
            JsonArray types => types.Aggregate(Kinds.None, (all, t) => all | TypesOf(t)),
            JsonValue type when type.GetValueKind() == JsonValueKind.String => type.GetValue<string>() switch
            {
                "object" => Kinds.Object,
                "array" => Kinds.Array,
                "string" => Kinds.String,
                "integer" => Kinds.Integer,
                "number" => Kinds.Number,
                "boolean" => Kinds.Boolean,
                "null" => Kinds.Null,
                _ => Kinds.None,
            },
            _ => Kinds.None,
        };

        static Bound? BoundOf(JsonNode? argument)
        {
            if (argument is not JsonValue value || value.GetValueKind() != JsonValueKind.Number) return null;
            var text = value.ToJsonString();
            decimal? exact = decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
            long? whole = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null;
            return new Bound(text, whole, exact, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        static int? CountOf(JsonNode? argument)
            => argument is JsonValue value && value.GetValueKind() == JsonValueKind.Number
               && int.TryParse(value.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                ? count
                : null;

        static Regex? PatternOf(JsonNode? argument)
        {
            if (argument is not JsonValue value || value.GetValueKind() != JsonValueKind.String) return null;
            try
            {
                return new Regex(value.GetValue<string>(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException)
            {
                return null; // A pattern .NET cannot read is ignored rather than refusing every input.
            }
        }
    }

    /// <summary>One validation: the path being checked (built in place, turned into a string only for a problem).</summary>
    sealed class Walker
    {
        // Input depth is capped at 64 by the reader; deeper schema recursion means a "$ref" loop that reads nothing.
        const int MaxSchemaDepth = 1000;

        // Sized for a short path: it is built on every input, valid or not, and read only to report a problem.
        readonly StringBuilder path = new("$", 16);
        int depth;

        public List<InputProblem> Problems { get; } = [];

        public void Check(Schema schema, JsonElement value, List<InputProblem> problems)
        {
            if (++depth > MaxSchemaDepth) throw new ArgumentException("The schema's \"$ref\" pointers form a loop.", "schema");
            try
            {
                CheckCore(schema, value, problems);
            }
            finally
            {
                depth--;
            }
        }

        void CheckCore(Schema schema, JsonElement value, List<InputProblem> problems)
        {
            if (schema.Never)
            {
                Report(problems, "no value is accepted here");
                return;
            }

            if (schema.Ref is not null)
            {
                var before = problems.Count;
                Check(schema.Ref, value, problems);
                if (problems.Count > before) return;
            }

            if (schema.Types != Kinds.None && !IsOfType(schema.Types, value))
            {
                var hint = value.ValueKind == JsonValueKind.Number && schema.Types.HasFlag(Kinds.Integer)
                           && value.TryGetDecimal(out var d) && d == decimal.Truncate(d)
                    ? " (write it without a decimal point or exponent)"
                    : "";
                Report(problems, $"expected {Describe(schema.Types)}, got {Describe(value)}{hint}");
                return;
            }

            if (schema.Enum is { } values && !IsOneOf(schema, value))
            {
                Report(problems, $"expected {DescribeEnum(values)}, got {Quote(value)}");
                return;
            }

            if (schema.Const is { } constant && !JsonElement.DeepEquals(constant, value))
            {
                Report(problems, $"expected {Quote(constant)}, got {Quote(value)}");
                return;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Object: CheckObject(schema, value, problems); break;
                case JsonValueKind.Array: CheckArray(schema, value, problems); break;
                case JsonValueKind.String: CheckString(schema, value, problems); break;
                case JsonValueKind.Number: CheckNumber(schema, value, problems); break;
            }

            foreach (var part in schema.AllOf ?? []) Check(part, value, problems);
            if (schema.AnyOf is { } alternatives) CheckAnyOf(schema, alternatives, value, problems);
            if (schema.Not is { } not && Passes(not, value)) Report(problems, "this value is not allowed here");
        }

        void CheckObject(Schema schema, JsonElement value, List<InputProblem> problems)
        {
            var required = schema.Required;
            Span<bool> present = required.Length <= 128 ? stackalloc bool[required.Length] : new bool[required.Length];
            // A field given twice would be read as its last copy without a word: refuse it instead. Declared fields
            // match case-insensitively, as the dialect reads them; other keys (a dictionary's) are distinct by case.
            // An object of one field (most inputs' objects) has no duplicate, and no set is made for it.
            var mayRepeat = value.GetPropertyCount() > 1;
            HashSet<string>? declaredSeen = null, otherSeen = null;
            foreach (var member in value.EnumerateObject())
            {
                var name = member.Name;
                if (schema.RequiredIndex is { } requiredIndex && requiredIndex.TryGetValue(name, out var index)) present[index] = true;
                Schema? memberSchema = null;
                if (schema.Properties is { } properties
                    && !properties.TryGetValue(name, out memberSchema)
                    && schema.PropertiesIgnoringCase!.TryGetValue(name, out var ignoringCase))
                {
                    memberSchema = ignoringCase; // The dialect reads names case-insensitively (JsonSerializerDefaults.Web).
                }

                var firstTime = !mayRepeat || (memberSchema is not null
                    ? (declaredSeen ??= new(StringComparer.OrdinalIgnoreCase)).Add(name)
                    : (otherSeen ??= new(StringComparer.Ordinal)).Add(name));
                memberSchema ??= schema.AdditionalProperties;
                var length = EnterProperty(name);
                if (!firstTime) Report(problems, "this field is given more than once; give it once");
                else if (memberSchema is not null) Check(memberSchema, member.Value, problems);
                else if (schema.ClosedObject) Report(problems, UnknownField(schema, name));
                path.Length = length;
            }

            for (var i = 0; i < required.Length; i++)
            {
                if (present[i]) continue;
                var length = EnterProperty(required[i]);
                var expected = schema.Properties?.GetValueOrDefault(required[i]) is { } property ? Expectation(property) : null;
                Report(problems, expected is null ? "required field is missing" : $"required field is missing (expected {expected})");
                path.Length = length;
            }
        }

        void CheckArray(Schema schema, JsonElement value, List<InputProblem> problems)
        {
            var count = value.GetArrayLength();
            if (schema.MinItems is { } min && count < min) Report(problems, $"expected at least {Count(min, "item")}, got {count}");
            if (schema.MaxItems is { } max && count > max) Report(problems, $"expected at most {Count(max, "item")}, got {count}");
            if (schema.Items is not { } items) return;

            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                var length = path.Length;
                path.Append('[').Append(index++).Append(']');
                Check(items, element, problems);
                path.Length = length;
            }
        }

        void CheckString(Schema schema, JsonElement value, List<InputProblem> problems)
        {
            if (schema.MinLength is null && schema.MaxLength is null && schema.Pattern is null && schema.Format is null) return;
            var text = value.GetString()!;
            var (min, max) = (schema.MinLength, schema.MaxLength);
            if ((min is { } least && text.Length < least) || (max is { } most && text.Length > most))
            {
                var expected = (min, max) switch
                {
                    (1, 1) => "a single character",
                    ({ } a, { } b) when a == b => $"a string of exactly {Count(a, "character")}",
                    ({ } a, { } b) => $"a string of {a} to {Count(b, "character")}",
                    ({ } a, null) => $"a string of at least {Count(a, "character")}",
                    (null, { } b) => $"a string of at most {Count(b, "character")}",
                    _ => "a string",
                };
                Report(problems, $"expected {expected}, got {Describe(value)}");
                return;
            }

            if (schema.Pattern is { } pattern && !Matches(pattern, text))
            {
                Report(problems, $"expected a string matching {pattern}, got {Describe(value)}");
                return;
            }

            var format = schema.Format switch
            {
                "date-time" when !value.TryGetDateTimeOffset(out _) => "a date and time in ISO 8601 (like \"2024-05-01T12:00:00Z\")",
                "date" when !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    => "a date in ISO 8601 (like \"2024-05-01\")",
                "uuid" when !value.TryGetGuid(out _) => "a UUID (like \"3f2504e0-4f89-11d3-9a0c-0305e82c3301\")",
                _ => null,
            };
            if (format is not null) Report(problems, $"expected {format}, got {Describe(value)}");
        }

        void CheckNumber(Schema schema, JsonElement value, List<InputProblem> problems)
        {
            var (min, max, minExclusive, maxExclusive) = (schema.Minimum, schema.Maximum, schema.ExclusiveMinimum, schema.ExclusiveMaximum);
            if (min is null && max is null && minExclusive is null && maxExclusive is null) return;

            var tooSmall = (min is { } a && Compare(value, a) < 0) || (minExclusive is { } b && Compare(value, b) <= 0);
            var tooLarge = (max is { } c && Compare(value, c) > 0) || (maxExclusive is { } e && Compare(value, e) >= 0);
            if (!tooSmall && !tooLarge) return;

            var what = schema.Types.HasFlag(Kinds.Number) || !schema.Types.HasFlag(Kinds.Integer) ? "a number" : "an integer";
            var range = (min, max) switch
            {
                ({ } low, { } high) => $"from {low.Text} to {high.Text}",
                _ => string.Join(" and ", new[]
                {
                    min is { } low ? $"at least {low.Text}" : null,
                    minExclusive is { } lowOpen ? $"greater than {lowOpen.Text}" : null,
                    max is { } high ? $"at most {high.Text}" : null,
                    maxExclusive is { } highOpen ? $"less than {highOpen.Text}" : null,
                }.OfType<string>()),
            };
            Report(problems, $"expected {what} {range}, got {value.GetRawText()}");
        }

        void CheckAnyOf(Schema schema, Schema[] alternatives, JsonElement value, List<InputProblem> problems)
        {
            List<InputProblem>? fewest = null;
            foreach (var alternative in alternatives)
            {
                var attempt = new List<InputProblem>();
                Check(alternative, value, attempt);
                if (attempt.Count == 0) return;
                if (fewest is null || attempt.Count < fewest.Count) fewest = attempt;
            }

            // Polymorphic types: every alternative fixes a discriminator such as "$type" with "const". When the
            // discriminator matches one of them, that one's problems are the ones to show; when it matches none, say so.
            if (value.ValueKind == JsonValueKind.Object && Discriminator(alternatives) is { } discriminator)
            {
                for (var i = 0; i < alternatives.Length; i++)
                {
                    if (!value.TryGetProperty(discriminator, out var tag) || !JsonElement.DeepEquals(tag, Resolved(alternatives[i]).Properties![discriminator].Const!.Value)) continue;
                    var chosen = new List<InputProblem>();
                    Check(alternatives[i], value, chosen);
                    problems.AddRange(chosen);
                    return;
                }

                var tags = alternatives.Select(a => Resolved(a).Properties![discriminator].Const!.Value).ToArray();
                var length = EnterProperty(discriminator);
                if (value.TryGetProperty(discriminator, out var given)) Report(problems, $"expected {DescribeEnum(tags)}, got {Quote(given)}");
                else if (!schema.Required.Contains(discriminator)) Report(problems, $"required field is missing (expected {DescribeEnum(tags)})");
                path.Length = length;
                return;
            }

            problems.AddRange(fewest ?? []);
        }

        static Schema Resolved(Schema schema)
        {
            while (schema.Ref is { } target && schema.Properties is null) schema = target;
            return schema;
        }

        static string? Discriminator(Schema[] alternatives)
        {
            string? found = null;
            foreach (var alternative in alternatives)
            {
                var named = Resolved(alternative).Properties?.FirstOrDefault(p => p.Value.Const is not null).Key;
                if (named is null || (found is not null && found != named)) return null;
                found = named;
            }

            return found;
        }

        bool Passes(Schema schema, JsonElement value)
        {
            var attempt = new List<InputProblem>();
            Check(schema, value, attempt);
            return attempt.Count == 0;
        }

        static bool Matches(Regex pattern, string text)
        {
            try
            {
                return pattern.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        static bool IsOneOf(Schema schema, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                foreach (var candidate in schema.Enum!)
                {
                    if (JsonElement.DeepEquals(candidate, value)) return true;
                }

                return false;
            }

            foreach (var candidate in schema.EnumStrings)
            {
                if (candidate is not null && value.ValueEquals(candidate)) return true;
            }

            // The dialect's enum converter reads names case-insensitively.
            var text = value.GetString();
            foreach (var candidate in schema.EnumStrings)
            {
                if (string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase)) return true;
            }

            return false;
        }

        static int Compare(JsonElement value, Bound bound)
        {
            if (bound.Whole is { } whole && value.TryGetInt64(out var integer)) return integer.CompareTo(whole);
            return bound.Exact is { } exact && value.TryGetDecimal(out var number)
                ? number.CompareTo(exact)
                : value.GetDouble().CompareTo(bound.Approximate);
        }

        static string UnknownField(Schema schema, string name)
        {
            var known = schema.PropertyNames;
            if (known.Length == 0) return $"unknown field \"{name}\"; this object takes no fields";
            const int listed = 20;
            var list = string.Join(", ", known.Take(listed)) + (known.Length > listed ? ", …" : "");
            var message = $"unknown field \"{name}\"; known fields: {list}";
            return ClosestName(known, name) is { } suggestion ? $"{message}; did you mean \"{suggestion}\"?" : message;
        }

        /// <summary>The known name a typo most likely meant: <c>lerning_rate</c> → <c>learningRate</c>.</summary>
        static string? ClosestName(string[] known, string name)
        {
            var wanted = Normalize(name);
            string? best = null;
            var bestDistance = Math.Max(1, wanted.Length / 3) + 1;
            foreach (var candidate in known)
            {
                var distance = Distance(wanted, Normalize(candidate));
                if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
            }

            return best;

            static string Normalize(string text) => new([.. text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        }

        static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++) previous[j] = j;
            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }

        /// <summary>What a field takes, for "required field is missing (expected …)"; null when it takes anything.</summary>
        static string? Expectation(Schema schema)
        {
            for (var hops = 0; hops < 32 && schema is { Ref: { } target, Types: Kinds.None, Enum: null, Const: null }; hops++) schema = target;

            if (schema.Enum is { } values) return DescribeEnum(values);
            if (schema.Const is { } constant) return Quote(constant);
            return schema.Types == Kinds.None ? null : Describe(schema.Types);
        }

        int EnterProperty(string name)
        {
            var length = path.Length;
            if (IsPlainName(name)) path.Append('.').Append(name);
            else path.Append("['").Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
            return length;
        }

        static readonly SearchValues<char> PlainNameChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$");

        static bool IsPlainName(string name)
            => name.Length > 0 && !char.IsAsciiDigit(name[0]) && !name.AsSpan().ContainsAnyExcept(PlainNameChars);

        void Report(List<InputProblem> problems, string problem) => problems.Add(new InputProblem(path.ToString(), problem));

        static bool IsOfType(Kinds types, JsonElement value)
        {
            var kind = value.ValueKind switch
            {
                JsonValueKind.Object => Kinds.Object,
                JsonValueKind.Array => Kinds.Array,
                JsonValueKind.String => Kinds.String,
                JsonValueKind.Number => Kinds.Number,
                JsonValueKind.True or JsonValueKind.False => Kinds.Boolean,
                _ => Kinds.Null,
            };
            return (types & kind) != 0 || (kind == Kinds.Number && types.HasFlag(Kinds.Integer) && IsWholeNumberLiteral(value));
        }

        /// <summary>Integer fields read only digits: the deserializer refuses <c>3.0</c> and <c>3e0</c> for an <c>int</c>.</summary>
        static bool IsWholeNumberLiteral(JsonElement number)
            => JsonMarshal.GetRawUtf8Value(number).IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;

        static string Describe(Kinds kinds)
        {
            if (kinds.HasFlag(Kinds.Number)) kinds &= ~Kinds.Integer;
            var names = new List<string>(4);
            if (kinds.HasFlag(Kinds.Object)) names.Add("an object");
            if (kinds.HasFlag(Kinds.Array)) names.Add("an array");
            if (kinds.HasFlag(Kinds.String)) names.Add("a string");
            if (kinds.HasFlag(Kinds.Integer)) names.Add("an integer");
            if (kinds.HasFlag(Kinds.Number)) names.Add("a number");
            if (kinds.HasFlag(Kinds.Boolean)) names.Add("true or false");
            if (kinds.HasFlag(Kinds.Null)) names.Add("null");
            return names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";
        }

        /// <summary>How a given value is shown after "got": <c>the string "ten"</c>, <c>3.5</c>, <c>null</c>, <c>an array</c>.</summary>
        static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => $"the string {Quote(value)}",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => value.GetRawText(),
        };

        /// <summary>A value as JSON, shortened: <c>"adamw"</c>, <c>3</c>, <c>null</c>, <c>an object</c>.</summary>
        static string Quote(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object: return "an object";
                case JsonValueKind.Array: return "an array";
                case JsonValueKind.String:
                    const int shown = 60;
                    var text = value.GetString()!;
                    return text.Length <= shown ? $"\"{Escape(text)}\"" : $"\"{Escape(text[..shown])}…\"";
                default: return value.GetRawText();
            }
        }

        /// <summary>Escapes as JSON does, but keeps non-ASCII letters readable.</summary>
        static string Escape(string text)
        {
            if (!text.Any(c => c is '"' or '\\' || char.IsControl(c))) return text;
            var escaped = new StringBuilder(text.Length + 8);
            foreach (var c in text)
            {
                _ = c switch
                {
                    '"' => escaped.Append("\\\""),
                    '\\' => escaped.Append("\\\\"),
                    '\n' => escaped.Append("\\n"),
                    '\r' => escaped.Append("\\r"),
                    '\t' => escaped.Append("\\t"),
                    _ when char.IsControl(c) => escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                    _ => escaped.Append(c),
                };
            }

            return escaped.ToString();
        }

        static string DescribeEnum(JsonElement[] values)
        {
            const int listed = 12;
            var shown = string.Join(", ", values.Take(listed).Select(Quote)) + (values.Length > listed ? ", …" : "");
            return values.Length == 1 ? shown : $"one of {shown}";
        }

        static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
    }
}
