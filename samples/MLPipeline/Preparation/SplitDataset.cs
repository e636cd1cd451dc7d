using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>What to split, how much to hold out for testing, and the seed of the shuffle.</summary>
public sealed record SplitRequest(Dataset Dataset, double TestFraction = 0.3, int Seed = 42);

/// <summary>A dataset cut into a training part and a held-out test part, each a CSV artifact.</summary>
public sealed record DataSplit(string[] FeatureNames, string[] ClassNames, Artifact Train, Artifact Test);

/// <summary>
/// A stratified, seeded train/test split: each class is shuffled on its own and the same fraction of it is held out,
/// so both parts keep the dataset's class balance.
/// </summary>
/// <remarks>
/// The randomness comes from the seed in the input, never from the clock: the same input always gives the same split.
/// That keeps the task pure (so its result can be cached) and makes every score downstream reproducible.
/// </remarks>
[Routine("split_dataset", Version = "2.0.0", Description = "Stratified, seeded train/test split.")]
[Retry(NonRetryable = new[] { typeof(ArgumentException) })]
public sealed class SplitDataset : RoutineTask<SplitRequest, DataSplit>
{
    public override async Task<DataSplit> RunAsync(SplitRequest input, RoutineContext ctx)
    {
        if (input.TestFraction is not (> 0 and < 1))
            throw new ArgumentException($"testFraction must be between 0 and 1 (exclusive), got {input.TestFraction}.");

        var dataset = input.Dataset;
        var data = await LabeledCsv.ReadAsync(ctx, dataset.Table, dataset.ClassNames);
        var random = new Random(input.Seed);
        var train = new List<int>();
        var test = new List<int>();
        for (var c = 0; c < dataset.ClassNames.Length; c++)
        {
            var members = Enumerable.Range(0, data.Labels.Length).Where(i => data.Labels[i] == c).ToArray();
            if (members.Length < 2)
                throw new ArgumentException($"Class '{dataset.ClassNames[c]}' has {members.Length} row(s); a split needs at least 2 per class.");

            random.Shuffle(members);
            // At least one row on each side, whatever the fraction.
            var held = Math.Clamp((int)Math.Round(members.Length * input.TestFraction), 1, members.Length - 1);
            test.AddRange(members[..held]);
            train.AddRange(members[held..]);
        }

        // Interleave the classes; training shuffles its mini-batches again with its own seed.
        int[] trainOrder = [.. train], testOrder = [.. test];
        random.Shuffle(trainOrder);
        random.Shuffle(testOrder);

        var split = new DataSplit(dataset.FeatureNames, dataset.ClassNames,
            await LabeledCsv.SaveAsync(ctx, "train.csv", Take(data, trainOrder), dataset.FeatureNames, dataset.ClassNames),
            await LabeledCsv.SaveAsync(ctx, "test.csv", Take(data, testOrder), dataset.FeatureNames, dataset.ClassNames));
        ctx.Logger.LogInformation("Split {Rows} rows of {Dataset} into {Train} for training and {Test} for testing (seed {Seed})",
            data.Rows.Length, dataset.Name, train.Count, test.Count, input.Seed);
        return split;
    }

    static LabeledRows Take(LabeledRows data, int[] indexes) =>
        new([.. indexes.Select(i => data.Rows[i])], [.. indexes.Select(i => data.Labels[i])]);
}
