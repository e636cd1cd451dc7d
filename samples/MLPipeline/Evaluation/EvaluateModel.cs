using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>A trained model and the held-out rows (a CSV artifact) to score it on.</summary>
public sealed record EvaluateInput(TrainedModel Model, Artifact Test, string[] ClassNames);

/// <summary>Precision, recall and F1 of one class, and how many test rows belong to it.</summary>
public sealed record ClassScore(string ClassName, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Test-set scores. <see cref="ConfusionMatrix"/>[actual][predicted] counts rows of class <c>actual</c> predicted as
/// <c>predicted</c>; the diagonal holds the correct predictions. The two plots are PNG artifacts the console shows.
/// </summary>
public sealed record Evaluation(double Accuracy, double MacroF1, int[][] ConfusionMatrix, ClassScore[] PerClass, Artifact ConfusionPlot, Artifact LossCurve);

/// <summary>
/// Scores a trained model on the test rows: accuracy, macro-averaged F1 and a confusion matrix, and draws the confusion
/// matrix and the model's loss curve as PNG artifacts.
/// </summary>
/// <remarks>
/// Macro-F1 averages the F1 of each class with equal weight, so a model that neglects a small class scores low even
/// when its accuracy looks good.
/// </remarks>
[Routine("evaluate_model", Version = "2.0.0", Description = "Accuracy, macro-F1 and confusion matrix on the test rows.")]
[Retry(NonRetryable = new[] { typeof(ArgumentException) })]
public sealed class EvaluateModel : RoutineTask<EvaluateInput, Evaluation>
{
    public override async Task<Evaluation> RunAsync(EvaluateInput input, RoutineContext ctx)
    {
        var classes = input.ClassNames.Length;
        var model = await ModelWeights.ReadAsync(ctx, input.Model.Model);
        var test = await LabeledCsv.ReadAsync(ctx, input.Test, input.ClassNames);
        if (model.Biases.Length != classes)
            throw new ArgumentException($"The model scores {model.Biases.Length} classes but {classes} class names were given.");

        var confusion = new int[classes][];
        for (var k = 0; k < classes; k++) confusion[k] = new int[classes];

        for (var i = 0; i < test.Rows.Length; i++)
            confusion[test.Labels[i]][SoftmaxClassifier.Predict(model.Weights, model.Biases, test.Rows[i])]++;

        var perClass = new ClassScore[classes];
        for (var k = 0; k < classes; k++)
        {
            var truePositives = confusion[k][k];
            var predicted = confusion.Sum(row => row[k]);
            var actual = confusion[k].Sum();
            var precision = predicted == 0 ? 0 : (double)truePositives / predicted;
            var recall = actual == 0 ? 0 : (double)truePositives / actual;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass[k] = new ClassScore(input.ClassNames[k], precision, recall, f1, actual);
        }

        var correct = Enumerable.Range(0, classes).Sum(k => confusion[k][k]);
        var evaluation = new Evaluation(
            Accuracy: test.Rows.Length == 0 ? 0 : (double)correct / test.Rows.Length,
            MacroF1: perClass.Average(c => c.F1),
            ConfusionMatrix: confusion,
            PerClass: perClass,
            ConfusionPlot: await ctx.Artifacts.SaveAsync(Plots.ConfusionMatrix(confusion, input.ClassNames), "image/png", "confusion-matrix.png"),
            LossCurve: await ctx.Artifacts.SaveAsync(Plots.LossCurve(model.LossByEpoch), "image/png", "loss-curve.png"));

        ctx.Logger.LogInformation("Test accuracy {Accuracy:P1} ({Correct}/{Rows}), macro-F1 {MacroF1:F3}",
            evaluation.Accuracy, correct, test.Rows.Length, evaluation.MacroF1);
        return evaluation;
    }
}
