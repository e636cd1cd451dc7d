using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>Which dataset to load. Every field has a default, so <c>{}</c> is a valid input.</summary>
public sealed record DatasetRequest(string Name = "iris");

/// <summary>A labelled table, stored as a CSV artifact (features and class name per row), with its shape.</summary>
public sealed record Dataset(string Name, string[] FeatureNames, string[] ClassNames, Artifact Table, int Rows);

/// <summary>
/// Reads a dataset that ships with the project and stores it as a CSV artifact: the steps after it pass the
/// artifact's reference, never the rows.
/// </summary>
/// <remarks>
/// A task is expected to be pure: the same input gives the same output. That is what lets the engine cache its result
/// (keyed by name, version and input) and skip it on the next run. The file is part of the build, so "iris" always
/// means the same rows; if you change a dataset, bump <c>Version</c> so the old cached result is not reused.
/// An unknown name is the caller's mistake, not a passing fault: <c>[Retry]</c> marks it non-retryable so the run
/// fails at once with the list of datasets instead of trying three times.
/// </remarks>
[Routine("load_dataset", Version = "2.0.0", Description = "Loads a dataset that ships with the project (data/*.csv).")]
[Retry(NonRetryable = new[] { typeof(ArgumentException) })]
public sealed class LoadDataset(DatasetCatalog catalog) : RoutineTask<DatasetRequest, Dataset>
{
    public override async Task<Dataset> RunAsync(DatasetRequest input, RoutineContext ctx)
    {
        var (featureNames, classNames, data) = catalog.Load(input.Name);
        var table = await LabeledCsv.SaveAsync(ctx, input.Name + ".csv", data, featureNames, classNames);
        ctx.Logger.LogInformation("Loaded {Dataset}: {Rows} rows, {Features} features ({FeatureNames}), {Classes} classes ({ClassNames})",
            input.Name, data.Rows.Length, featureNames.Length, string.Join(", ", featureNames), classNames.Length, string.Join(", ", classNames));
        return new Dataset(input.Name, featureNames, classNames, table, data.Rows.Length);
    }
}
