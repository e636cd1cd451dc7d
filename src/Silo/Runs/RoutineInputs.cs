using System.Text;
using System.Text.Json;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Dispatch;

namespace Routines.Silo.Runs;

/// <summary>What the service checks of a routine's input, for a submit and for a schedule alike.</summary>
internal static class RoutineInputs
{
    /// <summary>
    /// Checks the input's size, its fit to the routine's schema and the routines it names, and returns it in canonical
    /// form, from one parse; throws <see cref="InvalidRoutineInputException"/> saying where it is wrong.
    /// </summary>
    public static string Validated(RoutineCatalog catalog, RoutineDescriptor routine, string inputJson, int maxBytes)
    {
        // Counted before anything else touches it: a 100 MB input took 48 s and 4 GB to parse, validate and store.
        if (inputJson.Length > maxBytes / 3 && Encoding.UTF8.GetByteCount(inputJson) is var size && size > maxBytes)
        {
            throw new InvalidRoutineInputException(routine.Id.ToString(), "$",
                $"the input is {size:N0} bytes of JSON, more than the limit of {maxBytes:N0} bytes (Routines:Service:MaxInputBytes); "
              + "pass large data by reference (a path or an artifact), not inside the input");
        }

        var schema = catalog.InputSchemaOf(routine);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(inputJson);
        }
        catch (JsonException)
        {
            throw Invalid(routine, InputValidator.Validate(schema, inputJson)); // which says where the JSON breaks
        }

        using (document)
        {
            var problems = InputValidator.Validate(schema, document.RootElement);
            if (problems.Count > 0) throw Invalid(routine, problems);
            // Most routines take no routine reference: their inputs are not walked for one.
            if (routine.InputSchema.Contains(RoutineReferences.SchemaMark, StringComparison.Ordinal)
                && RoutineReferences.ProblemIn(schema, document.RootElement, catalog) is { } reference) throw Invalid(routine, [reference]);
            return CanonicalJson.Of(document.RootElement);
        }
    }

    static InvalidRoutineInputException Invalid(RoutineDescriptor routine, IReadOnlyList<InputProblem> problems)
    {
        var rest = problems.Skip(1).Select(p => $"; and at {p.Path}: {p.Problem}");
        return new InvalidRoutineInputException(routine.Id.ToString(), problems[0].Path, problems[0].Problem + string.Concat(rest));
    }
}
