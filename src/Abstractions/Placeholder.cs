namespace Routines;
public sealed class Placeholder { }
