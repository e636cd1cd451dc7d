namespace Routines.Worker;
public sealed class Placeholder { }
