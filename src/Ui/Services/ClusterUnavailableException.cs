namespace Routines.Ui.Services;

/// <summary>The cluster did not answer a console call; the banner says so and the console keeps retrying.</summary>
public sealed class ClusterUnavailableException(string message, Exception inner) : Exception(message, inner);
