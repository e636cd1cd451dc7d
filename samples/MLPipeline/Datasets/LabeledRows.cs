namespace MLPipeline;

/// <summary>Feature rows with their class indexes, <c>Labels[i]</c> being the class of <c>Rows[i]</c>.</summary>
/// <remarks>
/// Inputs and outputs cross between routines (and machines) as JSON, so data records hold only plain values:
/// jagged arrays (<c>double[][]</c>) rather than <c>double[,]</c>, which JSON cannot express.
/// </remarks>
public sealed record LabeledRows(double[][] Rows, int[] Labels);
