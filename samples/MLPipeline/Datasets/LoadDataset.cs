using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>Which dataset to load. Every field has a default, so <c>{}</c> is a valid input.</summary>
public sealed record DatasetRequest(string Name = "iris");

/// <summary>A labelled table: one row of features per sample and the index of its class in <see cref="ClassNames"/>.</summary>
public sealed record Dataset(string Name, string[] FeatureNames, string[] ClassNames, double[][] Rows, int[] Labels);

/// <summary>
/// Reads a dataset that ships with the project.
/// </summary>
/// <remarks>
/// A task is expected to be pure: the same input gives the same output. That is what lets the engine cache its result
/// (keyed by name, version and input) and skip it on the next run. The file is part of the build, so "iris" always
/// means the same rows; if you change a dataset, bump <c>Version</c> so the old cached result is not reused.
/// An unknown name is the caller's mistake, not a passing fault: <c>[Retry]</c> marks it non-retryable so the run
/// fails at once with the list of datasets instead of trying three times.
/// </remarks>
[Routine("load_dataset", Version = "1.0.0", Description = "Loads a dataset that ships with the project (data/*.csv).")]
[Retry(NonRetryable = new[] { typeof(ArgumentException) })]
public sealed class LoadDataset(DatasetCatalog catalog) : RoutineTask<DatasetRequest, Dataset>
{
    public override Task<Dataset> RunAsync(DatasetRequest input, RoutineContext ctx)
    {
        var dataset = catalog.Load(input.Name);
        ctx.Logger.LogInformation("Loaded {Dataset}: {Rows} rows, {Features} features ({FeatureNames}), {Classes} classes ({ClassNames})",
            dataset.Name, dataset.Rows.Length, dataset.FeatureNames.Length, string.Join(", ", dataset.FeatureNames),
            dataset.ClassNames.Length, string.Join(", ", dataset.ClassNames));
        return Task.FromResult(dataset);
    }
}
