namespace MLPipeline;

/// <summary>The knobs of one training run of the softmax classifier.</summary>
/// <param name="LearningRate">Step size of gradient descent.</param>
/// <param name="L2">Strength of the L2 penalty on the weights (0 = none).</param>
/// <param name="Epochs">Passes over the training rows.</param>
/// <param name="BatchSize">Rows per gradient step (mini-batch); the whole training set if larger.</param>
/// <param name="Seed">Seed of the mini-batch shuffle, so a run is reproducible.</param>
public sealed record Hyperparameters(double LearningRate, double L2, int Epochs = 100, int BatchSize = 16, int Seed = 42);
