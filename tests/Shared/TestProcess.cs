using System.Diagnostics;
using System.Text;

namespace Routines.Tests.Shared;

/// <summary>
/// A built .NET program of this repository run as a real process: output captured, waits on output text,
/// SIGINT / SIGTERM / kill -9, and killed on dispose so no test leaves a process behind.
/// </summary>
public sealed class TestProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _stdout = new();
    readonly StringBuilder _stderr = new();
    readonly Lock _lock = new();
    readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];

    TestProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>What the test calls this process, for logs.</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout { get { lock (_lock) return _stdout.ToString(); } }

    public string Stderr { get { lock (_lock) return _stderr.ToString(); } }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> args…</c>.</summary>
    public static TestProcess Start(string dll, string workingDirectory, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, string? name = null)
        => StartProgram("dotnet", workingDirectory, [dll, .. args], environment, name ?? Path.GetFileNameWithoutExtension(dll));

    /// <summary>Starts <c><paramref name="program"/> args…</c>: a program other than a built .NET one (python3, say).</summary>
    public static TestProcess StartProgram(string program, string workingDirectory, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, string? name = null)
    {
        // Through env, so SIGINT is at its default in the child even when the suite runs as a background job (which
        // ignores it, and a child inherits that): the Ctrl+C tests send it, and a CI run started with & failed them.
        var info = new ProcessStartInfo("env", ["--default-signal=INT", program, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;

        var test = new TestProcess(new Process { StartInfo = info, EnableRaisingEvents = true }, name ?? Path.GetFileName(program));
        test._process.OutputDataReceived += (_, e) => test.Append(test._stdout, e.Data);
        test._process.ErrorDataReceived += (_, e) => test.Append(test._stderr, e.Data);
        test._process.Start();
        test._process.BeginOutputReadLine();
        test._process.BeginErrorReadLine();
        return test;
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Completes when stdout or stderr contains <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        lock (_lock)
        {
            if (_stdout.ToString().Contains(text) || _stderr.ToString().Contains(text)) return Task.CompletedTask;
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((text, seen));
            return seen.Task.WaitAsync(timeout ?? TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>SIGINT, as Ctrl+C in a terminal.</summary>
    public void Interrupt() => Signal("INT");

    /// <summary>SIGTERM, as Kubernetes stopping a pod.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>kill -9: no goodbye.</summary>
    public void KillHard() => Signal("KILL");

    /// <summary>SIGSTOP: a hung process, or one cut off by the network; its sockets stay open and nothing answers.</summary>
    public void Freeze() => Signal("STOP");

    void Signal(string signal) => Process.Start("kill", [$"-{signal}", _process.Id.ToString()])!.WaitForExit();

    void Append(StringBuilder buffer, string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            buffer.AppendLine(line);
            foreach (var wait in _waits.Where(w => line.Contains(w.Text) || buffer.ToString().Contains(w.Text)).ToList())
            {
                wait.Seen.TrySetResult();
                _waits.Remove(wait);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }

        _process.Dispose();
    }
}
