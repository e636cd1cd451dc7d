// A test worker project: the shared routines plus one only this project has.
using Routines.Hosting;
using Routines.Tests.Apps;

return await RoutineHost.CreateBuilder(args).AddRoutinesFrom(typeof(Step).Assembly).RunAsync();

namespace Routines.Tests.Apps
{
    using Routines;

    public sealed record Who(string Name);

    /// <summary>Only the Alpha project hosts this routine: capability routing must send it here.</summary>
    [Routine("alpha_only")]
    [Cache(false)]
    public sealed class AlphaOnly : RoutineTask<Who, StepOutput>
    {
        public override Task<StepOutput> RunAsync(Who input, RoutineContext ctx)
        {
            Journal.Record("alpha_only");
            return Task.FromResult(new StepOutput(input.Name, Environment.ProcessId, Environment.GetEnvironmentVariable("WORKER_NAME") ?? "?"));
        }
    }

    public sealed record Wait(string Name, int Milliseconds);

    /// <summary>Only Alpha hosts this workflow, and it waits on a task only Beta hosts: Alpha only waits (HANGING).</summary>
    [Routine("alpha_waits_on_beta")]
    public sealed class AlphaWaitsOnBeta : RoutineWorkflow<Wait, StepOutput>
    {
        public override Task<StepOutput> RunAsync(Wait input, WorkflowContext ctx)
            => ctx.CallAsync<StepOutput>("beta_only", new { name = input.Name, milliseconds = input.Milliseconds });
    }

    /// <summary>Only Alpha makes blobs: a large artifact stored from a stream that is generated as it is read.</summary>
    [Routine("alpha_make_blob")]
    [Cache(false)]
    public sealed class AlphaMakeBlob : RoutineTask<BlobSpec, Artifact>
    {
        public override Task<Artifact> RunAsync(BlobSpec input, RoutineContext ctx)
            => ctx.Artifacts.SaveAsync(new SeededBytes(input.Megabytes * 1024L * 1024, input.Seed), "application/octet-stream", "blob.bin");
    }

    /// <summary>Made on Alpha, read on Beta: the reference travels through the service, the bytes through the store.</summary>
    [Routine("blob_relay")]
    public sealed class BlobRelay : RoutineWorkflow<BlobSpec, BlobCheck>
    {
        public override async Task<BlobCheck> RunAsync(BlobSpec input, WorkflowContext ctx)
        {
            var blob = await ctx.CallAsync<AlphaMakeBlob, Artifact>(input);
            return await ctx.CallAsync<BlobCheck>("beta_read_blob", new { blob });
        }
    }
}
