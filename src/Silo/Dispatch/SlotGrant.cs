namespace Routines.Silo.Dispatch;

/// <summary>The worker that got the run, or why the run waits.</summary>
internal sealed record SlotGrant(string? WorkerId, string? WaitReason);
