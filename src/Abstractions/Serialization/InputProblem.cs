namespace Routines.Serialization;

/// <summary>One thing wrong with an input JSON, found by <see cref="InputValidator"/>.</summary>
/// <param name="Path">
/// JSON path of the offending value in the input's camelCase names: <c>$</c> (the whole input), <c>$.epochs</c>,
/// <c>$.rates[2]</c>, <c>$.model.layers[0].units</c>. A missing field's path is where it should have been.
/// </param>
/// <param name="Problem">What is wrong and what was expected, for example <c>expected an integer, got the string "ten"</c>.</param>
public sealed record InputProblem(string Path, string Problem)
{
    /// <summary><c>$.epochs: expected an integer, got the string "ten"</c>.</summary>
    public override string ToString() => $"{Path}: {Problem}";
}
