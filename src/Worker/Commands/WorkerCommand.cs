using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Routines.Hosting;

namespace Routines.Worker.Commands;

/// <summary><c>worker</c>: joins the cluster as a worker silo and runs this project's routines until stopped.</summary>
internal static class WorkerCommand
{
    public static Command Create(ProjectSetup project)
    {
        var slots = new Option<int?>("--slots") { Description = "How many tasks may run at once (default: the number of cores)." };
        var httpPort = new Option<int?>("--http-port")
        {
            Description = "Serve /healthz/live, /healthz/ready and Prometheus /metrics on this port (default: Routines__Worker__HttpPort; none).",
        };
        var command = new Command("worker",
            "Join a Routines cluster as a worker and run this project's routines until stopped (SIGTERM hands running work back). "
          + "Settings: Routines__Cluster__Provider (Localhost|Postgres), Routines__Cluster__ConnectionString, "
          + "Routines__Cluster__PrimarySiloEndpoint (Localhost: the service, default 127.0.0.1:11111), Routines__Worker__ShutdownGrace, Routines__Worker__HttpPort.")
        {
            slots,
            httpPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cluster = WorkerHost.ClusterOptions(project.Configuration, out var invalid);
            if (invalid is not null) return Fail(invalid, ExitCodes.BadInput);
            if (parse.GetValue(slots) is < 1) return Fail($"--slots must be at least 1 (got {parse.GetValue(slots)}).", ExitCodes.BadInput);
            var given = parse.GetValue(httpPort)?.ToString() ?? project.Configuration["Routines:Worker:HttpPort"];
            int? port = null;
            if (!string.IsNullOrEmpty(given))
            {
                if (!int.TryParse(given, out var number) || number is < 1 or > 65535)
                    return Fail($"the HTTP port (--http-port, Routines:Worker:HttpPort) must be a number from 1 to 65535 (got '{given}').", ExitCodes.BadInput);
                port = number;
            }

            using var host = WorkerHost.Build(project, cluster, parse.GetValue(slots));
            WebApplication? probes = null;
            try
            {
                if (port is { } p) probes = await WorkerHost.StartProbesAsync(host.Services, project.Configuration, cluster, p, cancellationToken);
            }
            catch (IOException exception)
            {
                return Fail($"the worker cannot serve its probes on port {port}: {exception.Message}", ExitCodes.BadInput);
            }

            try
            {
                await host.RunAsync(cancellationToken);
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return Fail($"the worker could not join the cluster: {exception.Message}", ExitCodes.ClusterUnavailable);
            }
            finally
            {
                if (probes is not null)
                {
                    await probes.StopAsync(CancellationToken.None);
                    await probes.DisposeAsync();
                }
            }
        });
        return command;
    }

    static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }
}
