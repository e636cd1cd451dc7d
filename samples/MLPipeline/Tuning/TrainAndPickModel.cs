using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>
/// What to search. Every parameter has a default, so <c>{}</c> is a valid input and <c>--set</c> can change one field.
/// The grid is every learning rate paired with every L2 strength; null means the default list.
/// </summary>
public sealed record SearchInput(
    string Dataset = "iris",
    double TestFraction = 0.3,
    int Seed = 42,
    double[]? LearningRates = null,
    double[]? L2Penalties = null,
    int Epochs = 100,
    int BatchSize = 16);

/// <summary>One line of the leaderboard, best first.</summary>
public sealed record LeaderboardEntry(int Rank, double LearningRate, double L2, double Accuracy, double MacroF1, double FinalLoss);

/// <summary>The winning hyperparameters with their scores, and how every candidate did.</summary>
public sealed record SearchResult(string Dataset, string[] ClassNames, ModelScore Best, LeaderboardEntry[] Leaderboard);

/// <summary>
/// Loads and prepares a dataset, trains one model per hyperparameter set in parallel, and picks the best by
/// macro-F1 (ties broken by accuracy).
/// </summary>
/// <remarks>
/// <para>
/// A workflow only orchestrates: every step that computes is a task (or a child workflow) called through
/// <c>ctx.CallAsync</c>, so it runs on a worker's slot with its own retries, timeout and cache, and may run on
/// another machine. The workflow itself just passes results along, which keeps it cheap to re-run.
/// </para>
/// <para>
/// And it is re-run: if its worker dies, the engine runs it again from the top, and each call is matched to its
/// recorded child by what it is (the routine and its input), so calls that already succeeded return their recorded
/// result at once, in whatever order <c>Task.WhenAll</c> starts them. A call whose input changed runs anew.
/// </para>
/// <para>It retrains every night at 03:00 UTC: the schedule below is created when a worker offering it joins.</para>
/// </remarks>
[Routine("train_and_pick_model", Version = "1.0.0", Description = "Prepares a dataset, tunes a softmax classifier over a grid and picks the best.")]
[Schedule(Name = "nightly-retrain", Cron = "0 3 * * *", TimeZone = "UTC")]
public sealed class TrainAndPickModel : RoutineWorkflow<SearchInput, SearchResult>
{
    static readonly double[] DefaultLearningRates = [0.01, 0.1, 0.5];
    static readonly double[] DefaultL2Penalties = [0.0, 0.01];

    public override async Task<SearchResult> RunAsync(SearchInput input, WorkflowContext ctx)
    {
        var grid = (
            from learningRate in input.LearningRates ?? DefaultLearningRates
            from l2 in input.L2Penalties ?? DefaultL2Penalties
            select new Hyperparameters(learningRate, l2, input.Epochs, input.BatchSize, input.Seed)).ToArray();
        if (grid.Length == 0) throw new ArgumentException("The grid is empty: give at least one learning rate and one L2 value.");

        var steps = 3 + grid.Length;
        ctx.ReportProgress(0, steps, "loading data");

        // Preparation is sequential: each step needs the previous one's output.
        var dataset = await ctx.CallAsync<LoadDataset, Dataset>(new DatasetRequest(input.Dataset));
        ctx.ReportProgress(1, steps, "splitting");
        var split = await ctx.CallAsync<SplitDataset, DataSplit>(new SplitRequest(dataset, input.TestFraction, input.Seed));
        ctx.ReportProgress(2, steps, "standardizing");
        var prepared = await ctx.CallAsync<Standardize, PreparedData>(split);
        ctx.ReportProgress(3, steps, $"tuning {grid.Length} configurations");

        // Fan out: one child workflow per grid point, all running at once on whatever slots are free. Select starts
        // the calls in grid order (each lambda calls CallAsync before its first await), so the order is deterministic
        // even though the children finish in any order. The prepared data travels by reference: each call carries the
        // two CSV artifacts' hashes, never the rows, so the records stay small and the cache keys hash the references.
        var finished = 0;
        var scores = await Task.WhenAll(grid.Select(async hyperparameters =>
        {
            var score = await ctx.CallAsync<TuneOne, ModelScore>(new TuneInput(prepared, hyperparameters));
            var done = Interlocked.Increment(ref finished);
            ctx.ReportProgress(3 + done, steps, $"{done} of {grid.Length} configurations scored");
            return score;
        }));

        // Task.WhenAll returns results in grid order, and OrderBy is stable: equal scores keep grid order.
        var ranked = scores.OrderByDescending(s => s.MacroF1).ThenByDescending(s => s.Accuracy).ToArray();
        var leaderboard = ranked.Select((s, i) => new LeaderboardEntry(
            i + 1, s.Hyperparameters.LearningRate, s.Hyperparameters.L2, s.Accuracy, s.MacroF1, s.FinalLoss)).ToArray();

        ctx.Logger.LogInformation("Leaderboard for {Dataset} ({Configurations} configurations, by macro-F1):", dataset.Name, grid.Length);
        foreach (var entry in leaderboard)
        {
            ctx.Logger.LogInformation("  #{Rank}  learning rate {LearningRate,-5}  L2 {L2,-5}  macro-F1 {MacroF1:F3}  accuracy {Accuracy:P1}  loss {Loss:F4}",
                entry.Rank, entry.LearningRate, entry.L2, entry.MacroF1, entry.Accuracy, entry.FinalLoss);
        }

        return new SearchResult(dataset.Name, dataset.ClassNames, ranked[0], leaderboard);
    }
}
