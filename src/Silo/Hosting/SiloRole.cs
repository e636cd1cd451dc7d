namespace Routines.Silo.Hosting;

/// <summary>What a silo does in a Routines cluster.</summary>
[Flags]
internal enum SiloRole
{
    /// <summary>Owns run records and dispatch; clients connect to it.</summary>
    Service = 1,

    /// <summary>Hosts a project's routines and executes runs.</summary>
    Worker = 2,
}
