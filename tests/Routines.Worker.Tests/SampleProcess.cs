using System.Diagnostics;
using System.Text;

namespace Routines.Worker.Tests;

/// <summary>Runs the built sample (samples/MLPipeline) as a real process, as a user's <c>dotnet run</c> would.</summary>
internal sealed class SampleProcess : IDisposable
{
    static readonly Lazy<string> Dll = new(FindSampleDll);

    readonly Process _process;
    readonly StringBuilder _stdout = new();
    readonly StringBuilder _stderr = new();
    readonly Lock _lock = new();
    readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];

    SampleProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>samples/MLPipeline/bin/&lt;Configuration&gt;/net10.0/MLPipeline.dll</summary>
    public static string DllPath => Dll.Value;

    public string Stdout { get { lock (_lock) return _stdout.ToString(); } }

    public string Stderr { get { lock (_lock) return _stderr.ToString(); } }

    public static SampleProcess Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Dll.Value, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["NO_COLOR"] = "1";
        var sample = new SampleProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        sample._process.OutputDataReceived += (_, e) => sample.Append(sample._stdout, e.Data);
        sample._process.ErrorDataReceived += (_, e) => sample.Append(sample._stderr, e.Data);
        sample._process.Start();
        sample._process.BeginOutputReadLine();
        sample._process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Runs to the end and returns the exit code (at most two minutes).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, params string[] args)
    {
        using var sample = Start(workingDirectory, args);
        var exitCode = await sample.WaitForExitAsync();
        return (exitCode, sample.Stdout, sample.Stderr);
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Completes when stdout contains <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text)
    {
        lock (_lock)
        {
            if (_stdout.ToString().Contains(text)) return Task.CompletedTask;
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((text, seen));
            return seen.Task.WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt() => Process.Start("kill", ["-INT", _process.Id.ToString()])!.WaitForExit();

    void Append(StringBuilder buffer, string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            buffer.AppendLine(line);
            if (buffer != _stdout) return;
            var text = _stdout.ToString();
            foreach (var wait in _waits.Where(w => text.Contains(w.Text)).ToList())
            {
                wait.Seen.TrySetResult();
                _waits.Remove(wait);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    static string FindSampleDll()
    {
        // tests/Routines.Worker.Tests/bin/<Configuration>/net10.0/ → the sample's output of the same configuration.
        var binDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = binDirectory.Parent!.Name;
        for (var dir = binDirectory; dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Routines.sln"))) continue;
            var dll = Path.Combine(dir.FullName, "samples", "MLPipeline", "bin", configuration, "net10.0", "MLPipeline.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the sample first: {dll} is missing.");
        }

        throw new DirectoryNotFoundException("Routines.sln not found above " + AppContext.BaseDirectory);
    }
}
