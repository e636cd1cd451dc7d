using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>Prepared data and one point of the hyperparameter grid.</summary>
public sealed record TuneInput(PreparedData Data, Hyperparameters Hyperparameters);

/// <summary>How one hyperparameter set did on the test rows, with the model (an artifact) it trained.</summary>
public sealed record ModelScore(Hyperparameters Hyperparameters, double Accuracy, double MacroF1, double FinalLoss, int[][] ConfusionMatrix, Artifact Model);

/// <summary>Trains one model and scores it: a small workflow of two tasks run one after the other.</summary>
/// <remarks>
/// Each call is a child run of its own, with its own record, retries and cache entry. If the worker dies after
/// <c>train_model</c> succeeded, the re-run of this workflow gets the recorded model back instead of training again.
/// </remarks>
[Routine("tune_one", Version = "1.0.0", Description = "Trains a model with one hyperparameter set and evaluates it.")]
public sealed class TuneOne : RoutineWorkflow<TuneInput, ModelScore>
{
    public override async Task<ModelScore> RunAsync(TuneInput input, WorkflowContext ctx)
    {
        var data = input.Data;
        var model = await ctx.CallAsync<TrainModel, TrainedModel>(new TrainInput(data.Train, data.ClassNames, input.Hyperparameters));
        var evaluation = await ctx.CallAsync<EvaluateModel, Evaluation>(new EvaluateInput(model, data.Test, data.ClassNames));

        ctx.Logger.LogInformation("learning rate {LearningRate}, L2 {L2}: accuracy {Accuracy:P1}, macro-F1 {MacroF1:F3}",
            input.Hyperparameters.LearningRate, input.Hyperparameters.L2, evaluation.Accuracy, evaluation.MacroF1);
        return new ModelScore(input.Hyperparameters, evaluation.Accuracy, evaluation.MacroF1, model.FinalLoss, evaluation.ConfusionMatrix, model.Model);
    }
}
