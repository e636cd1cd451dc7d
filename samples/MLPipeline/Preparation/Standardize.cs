using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>
/// A split whose features are standardized (zero mean, unit variance on the training part), with the means and
/// standard deviations used, so new data can be scaled the same way before prediction.
/// </summary>
public sealed record PreparedData(
    string[] FeatureNames, string[] ClassNames, Artifact Train, Artifact Test, double[] Means, double[] StdDevs);

/// <summary>
/// Standardizes every feature with the mean and standard deviation of the <i>training</i> rows, applied to both parts.
/// </summary>
/// <remarks>
/// Fitting on the training part only keeps the test rows unseen, so the test score stays an honest estimate.
/// Standardized features also let one learning rate suit every feature in gradient descent.
/// </remarks>
[Routine("standardize", Version = "2.0.0", Description = "Fits feature means and standard deviations on the training rows and scales both parts.")]
public sealed class Standardize : RoutineTask<DataSplit, PreparedData>
{
    public override async Task<PreparedData> RunAsync(DataSplit input, RoutineContext ctx)
    {
        var (train, test) = (await LabeledCsv.ReadAsync(ctx, input.Train, input.ClassNames), await LabeledCsv.ReadAsync(ctx, input.Test, input.ClassNames));
        var features = input.FeatureNames.Length;
        var rows = train.Rows;
        var means = new double[features];
        var stdDevs = new double[features];
        for (var j = 0; j < features; j++)
        {
            means[j] = rows.Average(r => r[j]);
            var variance = rows.Average(r => (r[j] - means[j]) * (r[j] - means[j]));
            // A constant feature carries no information; scaling it by 1 avoids dividing by zero.
            stdDevs[j] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }

        var prepared = new PreparedData(input.FeatureNames, input.ClassNames,
            await LabeledCsv.SaveAsync(ctx, "train-standardized.csv", Scale(train, means, stdDevs), input.FeatureNames, input.ClassNames),
            await LabeledCsv.SaveAsync(ctx, "test-standardized.csv", Scale(test, means, stdDevs), input.FeatureNames, input.ClassNames),
            means, stdDevs);
        for (var j = 0; j < features; j++)
            ctx.Logger.LogInformation("{Feature}: mean {Mean:F3}, std {Std:F3}", input.FeatureNames[j], means[j], stdDevs[j]);
        return prepared;
    }

    static LabeledRows Scale(LabeledRows part, double[] means, double[] stdDevs) =>
        part with { Rows = [.. part.Rows.Select(r => r.Select((x, j) => (x - means[j]) / stdDevs[j]).ToArray())] };
}
