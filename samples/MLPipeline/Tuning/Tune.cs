using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>What to tune: a training routine, given as a parameter, and the learning rates to try it with.</summary>
public sealed record TuneRequest(
    [property: Description("The training routine to tune: train_model, or any routine taking TrainInput and returning TrainedModel.")]
    RoutineRef<TrainInput, TrainedModel> Trainer,
    string Dataset = "iris",
    double[]? LearningRates = null,
    int Epochs = 50,
    int Seed = 42);

/// <summary>How the trainer did at one learning rate.</summary>
public sealed record LearningRateScore(double LearningRate, double Accuracy, double MacroF1);

/// <summary>The best learning rate for the trainer, and every rate's scores.</summary>
public sealed record TuneResult(string Trainer, double BestLearningRate, double BestMacroF1, LearningRateScore[] Scores);

/// <summary>
/// Tunes the learning rate of whatever training routine it is given: the routine is a value of its input (a
/// <see cref="RoutineRef{TInput,TOutput}"/>), which the service checks at submit, and it is called like any other.
/// </summary>
[Routine("tune", Version = "1.0.0", Description = "Tunes the learning rate of the training routine it is given.")]
public sealed class Tune : RoutineWorkflow<TuneRequest, TuneResult>
{
    static readonly double[] DefaultLearningRates = [0.01, 0.1, 0.5];

    public override async Task<TuneResult> RunAsync(TuneRequest input, WorkflowContext ctx)
    {
        var dataset = await ctx.CallAsync<LoadDataset, Dataset>(new DatasetRequest(input.Dataset));
        var split = await ctx.CallAsync<SplitDataset, DataSplit>(new SplitRequest(dataset, 0.3, input.Seed));
        var data = await ctx.CallAsync<Standardize, PreparedData>(split);

        var scores = await Task.WhenAll((input.LearningRates ?? DefaultLearningRates).Select(async rate =>
        {
            var model = await ctx.CallAsync(input.Trainer, new TrainInput(data.Train, data.ClassNames, new Hyperparameters(rate, 0.0, input.Epochs, Seed: input.Seed)));
            var evaluation = await ctx.CallAsync<EvaluateModel, Evaluation>(new EvaluateInput(model, data.Test, data.ClassNames));
            return new LearningRateScore(rate, evaluation.Accuracy, evaluation.MacroF1);
        }));

        var best = scores.OrderByDescending(s => s.MacroF1).ThenByDescending(s => s.Accuracy).First();
        ctx.Logger.LogInformation("{Trainer}: best learning rate {LearningRate} (macro-F1 {MacroF1:F3})", input.Trainer, best.LearningRate, best.MacroF1);
        return new TuneResult(input.Trainer.Id, best.LearningRate, best.MacroF1, scores);
    }
}
