// A test worker project: the shared routines plus one only this project has.
using Routines.Hosting;
using Routines.Tests.Apps;

return await RoutineHost.CreateBuilder(args).AddRoutinesFrom(typeof(Step).Assembly).RunAsync();

namespace Routines.Tests.Apps
{
    using Routines;

    public sealed record Who(string Name, int Milliseconds = 0);

    /// <summary>Only the Beta project hosts this routine: capability routing must send it here.</summary>
    [Routine("beta_only")]
    [Cache(false)]
    public sealed class BetaOnly : RoutineTask<Who, StepOutput>
    {
        public override async Task<StepOutput> RunAsync(Who input, RoutineContext ctx)
        {
            await Task.Delay(input.Milliseconds, ctx.CancellationToken);
            Journal.Record("beta_only");
            return new StepOutput(input.Name, Environment.ProcessId, Environment.GetEnvironmentVariable("WORKER_NAME") ?? "?");
        }
    }
}
