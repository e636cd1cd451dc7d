namespace MLPipeline;

/// <summary>The arithmetic of multinomial logistic regression, shared by training and evaluation.</summary>
internal static class SoftmaxClassifier
{
    /// <summary>Writes the class probabilities of <paramref name="row"/> into <paramref name="probabilities"/>.</summary>
    public static void Probabilities(double[][] weights, double[] biases, double[] row, Span<double> probabilities)
    {
        var max = double.NegativeInfinity;
        for (var k = 0; k < biases.Length; k++)
        {
            var z = biases[k];
            for (var j = 0; j < row.Length; j++) z += weights[k][j] * row[j];
            probabilities[k] = z;
            max = Math.Max(max, z);
        }

        // Subtracting the largest score before exp keeps large scores from overflowing; the result is unchanged.
        var sum = 0.0;
        for (var k = 0; k < biases.Length; k++)
        {
            probabilities[k] = Math.Exp(probabilities[k] - max);
            sum += probabilities[k];
        }

        for (var k = 0; k < biases.Length; k++) probabilities[k] /= sum;
    }

    /// <summary>The most probable class of <paramref name="row"/>.</summary>
    public static int Predict(double[][] weights, double[] biases, double[] row)
    {
        Span<double> p = biases.Length <= 64 ? stackalloc double[biases.Length] : new double[biases.Length];
        Probabilities(weights, biases, row, p);
        var best = 0;
        for (var k = 1; k < p.Length; k++)
            if (p[k] > p[best]) best = k;
        return best;
    }
}
