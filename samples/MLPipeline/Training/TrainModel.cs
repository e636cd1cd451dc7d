using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Routines;

namespace MLPipeline;

/// <summary>The training rows (a CSV artifact), the class names, and the hyperparameters to train with.</summary>
public sealed record TrainInput(Artifact Train, string[] ClassNames, Hyperparameters Hyperparameters);

/// <summary>A trained model, stored as the artifact <c>model.json</c> (<see cref="ModelWeights"/>), with its training loss and accuracy.</summary>
public sealed record TrainedModel(Artifact Model, double FinalLoss, double TrainAccuracy);

/// <summary>
/// The contents of <c>model.json</c>: one weight row and one bias per class (score of class k = Weights[k]·x + Biases[k]),
/// and the loss after each epoch, for the loss curve.
/// </summary>
public sealed record ModelWeights(double[][] Weights, double[] Biases, double[] LossByEpoch)
{
    public static async Task<ModelWeights> ReadAsync(RoutineContext ctx, Artifact model)
    {
        await using var stream = await ctx.Artifacts.OpenAsync(model);
        return await JsonSerializer.DeserializeAsync<ModelWeights>(stream, JsonSerializerOptions.Web)
               ?? throw new ArgumentException($"Artifact {model.Name} holds no model.");
    }
}

/// <summary>
/// Trains a multinomial logistic regression (softmax) classifier with mini-batch gradient descent and an L2 penalty.
/// </summary>
/// <remarks>
/// This is where the heavy work belongs: in a task, which the engine runs on a worker's execution slot, retries on
/// failure, times out and caches. It reports each epoch (progress, loss, accuracy) so the CLI and console can chart
/// it live, and checks the cancellation token once per epoch so a cancelled run stops within one epoch. Metrics are
/// logged for at most about <see cref="MetricPointsPerSeries"/> epochs per series (every epoch of a short run, every
/// n-th of a long one, always the last): a chart needs no more, and a 100,000-epoch run should not write 200,000 rows.
/// </remarks>
[Routine("train_model", Version = "2.0.0", Description = "Trains a softmax classifier with mini-batch gradient descent.")]
[Retry(NonRetryable = new[] { typeof(ArgumentException) })]
public sealed class TrainModel : RoutineTask<TrainInput, TrainedModel>
{
    const int MetricPointsPerSeries = 200;

    public override async Task<TrainedModel> RunAsync(TrainInput input, RoutineContext ctx)
    {
        var h = input.Hyperparameters;
        var train = await LabeledCsv.ReadAsync(ctx, input.Train, input.ClassNames);
        Validate(input, train);
        var stopwatch = Stopwatch.StartNew();

        var (rows, labels) = (train.Rows, train.Labels);
        int n = rows.Length, features = rows[0].Length, classes = input.ClassNames.Length;
        var lossByEpoch = new double[h.Epochs];
        var weights = NewMatrix(classes, features);
        var biases = new double[classes];
        var weightGradient = NewMatrix(classes, features);
        var biasGradient = new double[classes];
        var probabilities = new double[classes];

        // Zero weights are a fine start: the loss is convex, so gradient descent finds the same optimum from anywhere.
        // The seed only orders the mini-batches, which is what makes two runs with the same input identical.
        var random = new Random(h.Seed);
        var order = Enumerable.Range(0, n).ToArray();
        var batchSize = Math.Min(h.BatchSize, n);
        var metricEvery = Math.Max(1, h.Epochs / MetricPointsPerSeries);
        double loss = double.NaN, accuracy = 0;

        for (var epoch = 1; epoch <= h.Epochs; epoch++)
        {
            ctx.CancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order);

            for (var start = 0; start < n; start += batchSize)
            {
                var end = Math.Min(n, start + batchSize);
                Clear(weightGradient, biasGradient);
                for (var b = start; b < end; b++)
                {
                    var i = order[b];
                    SoftmaxClassifier.Probabilities(weights, biases, rows[i], probabilities);
                    // The gradient of cross-entropy w.r.t. class k's score is (probability - 1 if k is the true class).
                    for (var k = 0; k < classes; k++)
                    {
                        var error = probabilities[k] - (labels[i] == k ? 1 : 0);
                        biasGradient[k] += error;
                        for (var j = 0; j < features; j++) weightGradient[k][j] += error * rows[i][j];
                    }
                }

                var m = end - start;
                for (var k = 0; k < classes; k++)
                {
                    for (var j = 0; j < features; j++)
                        weights[k][j] -= h.LearningRate * (weightGradient[k][j] / m + h.L2 * weights[k][j]);
                    biases[k] -= h.LearningRate * biasGradient[k] / m;
                }
            }

            (loss, accuracy) = Measure(weights, biases, train, h.L2);
            lossByEpoch[epoch - 1] = loss;
            if (!double.IsFinite(loss))
            {
                throw new ArgumentException(
                    $"Training diverged at epoch {epoch} (loss {loss}) with learning rate {h.LearningRate}. Use a smaller learning rate.");
            }

            ctx.ReportProgress(epoch, h.Epochs, $"epoch {epoch}");
            if (epoch % metricEvery == 0 || epoch == h.Epochs)
            {
                ctx.LogMetric("loss", loss, step: epoch);
                ctx.LogMetric("train_accuracy", accuracy, step: epoch);
            }
        }

        ctx.Logger.LogInformation(
            "Trained with learning rate {LearningRate}, L2 {L2} for {Epochs} epochs in {Elapsed:F1} ms: loss {Loss:F4}, train accuracy {Accuracy:P1}",
            h.LearningRate, h.L2, h.Epochs, stopwatch.Elapsed.TotalMilliseconds, loss, accuracy);
        var model = await ctx.Artifacts.SaveAsync(JsonSerializer.SerializeToUtf8Bytes(new ModelWeights(weights, biases, lossByEpoch), JsonSerializerOptions.Web),
            "application/json", "model.json");
        return new TrainedModel(model, loss, accuracy);
    }

    /// <summary>Mean cross-entropy plus the L2 penalty, and the share of rows classified right.</summary>
    static (double Loss, double Accuracy) Measure(double[][] weights, double[] biases, LabeledRows data, double l2)
    {
        var probabilities = new double[biases.Length];
        double crossEntropy = 0;
        var correct = 0;
        for (var i = 0; i < data.Rows.Length; i++)
        {
            SoftmaxClassifier.Probabilities(weights, biases, data.Rows[i], probabilities);
            crossEntropy -= Math.Log(Math.Max(probabilities[data.Labels[i]], 1e-15));
            if (probabilities.AsSpan().IndexOf(probabilities.Max()) == data.Labels[i]) correct++;
        }

        var penalty = 0.5 * l2 * weights.Sum(row => row.Sum(w => w * w));
        return (crossEntropy / data.Rows.Length + penalty, (double)correct / data.Rows.Length);
    }

    static void Validate(TrainInput input, LabeledRows train)
    {
        var h = input.Hyperparameters;
        if (h.LearningRate is not > 0 || !double.IsFinite(h.LearningRate))
            throw new ArgumentException($"learningRate must be a positive number, got {h.LearningRate}.");
        if (h.L2 is not >= 0 || !double.IsFinite(h.L2)) throw new ArgumentException($"l2 must be 0 or more, got {h.L2}.");
        if (h.Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {h.Epochs}.");
        if (h.BatchSize < 1) throw new ArgumentException($"batchSize must be at least 1, got {h.BatchSize}.");
        if (input.ClassNames.Length < 2) throw new ArgumentException($"classNames must name at least 2 classes, got {input.ClassNames.Length}.");

        var (rows, labels) = (train.Rows, train.Labels);
        if (rows.Length == 0) throw new ArgumentException("The training set is empty.");
        if (rows.Length != labels.Length)
            throw new ArgumentException($"The training set has {rows.Length} rows but {labels.Length} labels.");
        if (rows.Any(r => r.Length != rows[0].Length))
            throw new ArgumentException($"Every training row must have {rows[0].Length} features, as the first one does.");

    }

    static double[][] NewMatrix(int rows, int columns) => [.. Enumerable.Range(0, rows).Select(_ => new double[columns])];

    static void Clear(double[][] matrix, double[] vector)
    {
        foreach (var row in matrix) Array.Clear(row);
        Array.Clear(vector);
    }
}
