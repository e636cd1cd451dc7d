namespace Routines;

/// <summary>The base of every error Routines raises on purpose. Each message says what was wrong and what to do.</summary>
[GenerateSerializer]
public abstract class RoutinesException : Exception
{
    protected RoutinesException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>The recorded error this exception stands for, when it comes from a run.</summary>
    public virtual RunError? Error => null;
}
