namespace Routines.Bench;

/// <summary>
/// CPU time (user + system) each part of the cluster has used so far, read from /proc. Wall-clock rates on a shared
/// two-core machine move by up to 30 % between identical runs; CPU time per run moves less, and it shows where the
/// cost of a run sits.
/// </summary>
internal sealed class CpuMeter(IReadOnlyList<(string Part, Func<IEnumerable<int>> Processes)> parts)
{
    /// <summary>Linux reports process times in USER_HZ ticks, 100 per second on every architecture .NET runs on.</summary>
    const double TicksPerSecond = 100;

    public IReadOnlyList<(string Part, TimeSpan Cpu)> Read()
        => [.. parts.Select(p => (p.Part, TimeSpan.FromSeconds(p.Processes().Sum(CpuTicks) / TicksPerSecond)))];

    /// <summary>Per part and in total, the CPU used between two readings divided by the number of runs in between.</summary>
    /// <param name="unit">What <paramref name="runs"/> counts; for runs, the rate the machine's cores would allow is added.</param>
    public static string PerRun(IReadOnlyList<(string Part, TimeSpan Cpu)> before, IReadOnlyList<(string Part, TimeSpan Cpu)> after, int runs, string unit = "run")
    {
        var used = before.Zip(after, (b, a) => (b.Part, Ms: (a.Cpu - b.Cpu).TotalMilliseconds / runs)).ToList();
        var total = used.Sum(u => u.Ms);
        var spent = $"{total:0.000} ms CPU per {unit} ({string.Join(", ", used.Select(u => $"{u.Part} {u.Ms:0.000}"))})";
        return unit == "run" ? spent + $", so {System.Environment.ProcessorCount / total * 1000:0} runs/s if every core did nothing else" : spent;
    }

    /// <summary>The children of a process, e.g. PostgreSQL's connection processes under its postmaster.</summary>
    public static IEnumerable<int> ChildrenOf(int parent)
        => Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Stat(pid) is { } stat && int.Parse(stat[1]) == parent);

    static long CpuTicks(int pid) => Stat(pid) is { } stat ? long.Parse(stat[11]) + long.Parse(stat[12]) : 0;

    /// <summary>The fields of /proc/PID/stat after the command name (state is [0], ppid [1], utime [11], stime [12]), or null once the process is gone.</summary>
    static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
