using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>A trained model and the held-out rows to score it on.</summary>
public sealed record EvaluateInput(TrainedModel Model, LabeledRows Test, string[] ClassNames);

/// <summary>Precision, recall and F1 of one class, and how many test rows belong to it.</summary>
public sealed record ClassScore(string ClassName, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Test-set scores. <see cref="ConfusionMatrix"/>[actual][predicted] counts rows of class <c>actual</c> predicted as
/// <c>predicted</c>; the diagonal holds the correct predictions.
/// </summary>
public sealed record Evaluation(double Accuracy, double MacroF1, int[][] ConfusionMatrix, ClassScore[] PerClass);

/// <summary>Scores a trained model on the test rows: accuracy, macro-averaged F1 and a confusion matrix.</summary>
/// <remarks>
/// Macro-F1 averages the F1 of each class with equal weight, so a model that neglects a small class scores low even
/// when its accuracy looks good.
/// </remarks>
[Routine("evaluate_model", Version = "1.0.0", Description = "Accuracy, macro-F1 and confusion matrix on the test rows.")]
[Retry(NonRetryable = new[] { typeof(ArgumentException) })]
public sealed class EvaluateModel : RoutineTask<EvaluateInput, Evaluation>
{
    public override Task<Evaluation> RunAsync(EvaluateInput input, RoutineContext ctx)
    {
        var classes = input.ClassNames.Length;
        var test = input.Test;
        if (input.Model.Biases.Length != classes)
            throw new ArgumentException($"The model scores {input.Model.Biases.Length} classes but {classes} class names were given.");
        if (test.Rows.Length != test.Labels.Length || test.Labels.Any(l => l < 0 || l >= classes))
            throw new ArgumentException($"The test set needs one label per row, each a class index from 0 to {classes - 1}.");

        var confusion = new int[classes][];
        for (var k = 0; k < classes; k++) confusion[k] = new int[classes];

        for (var i = 0; i < test.Rows.Length; i++)
            confusion[test.Labels[i]][SoftmaxClassifier.Predict(input.Model.Weights, input.Model.Biases, test.Rows[i])]++;

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
            PerClass: perClass);

        ctx.Logger.LogInformation("Test accuracy {Accuracy:P1} ({Correct}/{Rows}), macro-F1 {MacroF1:F3}",
            evaluation.Accuracy, correct, test.Rows.Length, evaluation.MacroF1);
        return Task.FromResult(evaluation);
    }
}
