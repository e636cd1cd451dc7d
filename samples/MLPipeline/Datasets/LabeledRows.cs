namespace MLPipeline;

/// <summary>Feature rows with their class indexes, <c>Labels[i]</c> being the class of <c>Rows[i]</c>.</summary>
/// <remarks>
/// Rows never travel inside an input or output: a step stores them as a CSV artifact (<see cref="LabeledCsv"/>) and
/// passes its reference, so a run's record stays a few hundred bytes however large the data.
/// </remarks>
public sealed record LabeledRows(double[][] Rows, int[] Labels);
