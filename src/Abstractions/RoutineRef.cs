using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routines;

/// <summary>
/// A routine as a value an input can hold: the id of a routine taking <typeparamref name="TInput"/> and returning
/// <typeparamref name="TOutput"/> (a bare name, its newest version, or an exact id). In JSON it is the id as a string.
/// The service checks it at submit: a live worker offers the routine, with those input and output types. A workflow
/// calls it like any other routine, with <see cref="WorkflowContext.CallAsync{TInput,TOutput}(RoutineRef{TInput,TOutput},TInput,CallOptions?)"/>.
/// </summary>
[JsonConverter(typeof(RoutineRefConverterFactory))]
public readonly record struct RoutineRef<TInput, TOutput>(string Id)
{
    /// <summary>A reference to <typeparamref name="TRoutine"/>, checked by the compiler for its output type.</summary>
    public static RoutineRef<TInput, TOutput> To<TRoutine>() where TRoutine : IRoutine<TOutput> => new(RoutineId.Of(typeof(TRoutine)).ToString());

    public override string ToString() => Id;
}

/// <summary>Writes a <see cref="RoutineRef{TInput,TOutput}"/> as its id, and reads it back from a non-empty string.</summary>
internal sealed class RoutineRefConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(RoutineRef<,>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
        => (JsonConverter)Activator.CreateInstance(typeof(Converter<,>).MakeGenericType(typeToConvert.GetGenericArguments()))!;

    sealed class Converter<TInput, TOutput> : JsonConverter<RoutineRef<TInput, TOutput>>
    {
        public override RoutineRef<TInput, TOutput> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } id
                ? new RoutineRef<TInput, TOutput>(id)
                : throw new JsonException("A routine reference is a routine's id as a string, such as \"train_model\".");

        public override void Write(Utf8JsonWriter writer, RoutineRef<TInput, TOutput> value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);
    }
}
