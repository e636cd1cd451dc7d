namespace Routines.Silo;
public sealed class Placeholder { }
