using System.Text;

namespace Routines.Tests.Apps;

/// <summary>
/// Appends one line per execution to the file named by ROUTINES_TEST_JOURNAL, so a test in another process can count
/// how often each step really ran (a line is "key pid").
/// </summary>
public static class Journal
{
    static readonly Lock Gate = new();

    /// <summary>
    /// The key under which a step records that it began: a run's Running record only says its start was sent, and a
    /// test that kills what runs it must know the step is under way.
    /// </summary>
    public static string Began(string key) => key + ":began";

    public static void Record(string key)
    {
        if (Environment.GetEnvironmentVariable("ROUTINES_TEST_JOURNAL") is not { Length: > 0 } path) return;

        // File.AppendAllText seeks to the end and writes there, so two steps finishing at the same moment (in one
        // worker, or in two) could write at the same offset and leave one line: a test then counted a step that ran
        // as never run. Appends are serialized here within the process, and by the file's exclusive lock between them.
        var line = Encoding.UTF8.GetBytes($"{key} {Environment.ProcessId}\n");
        lock (Gate)
        {
            var spinner = new SpinWait();
            while (true)
            {
                try
                {
                    using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
                    file.Write(line);
                    return;
                }
                catch (IOException) when (spinner.Count < 10_000)
                {
                    spinner.SpinOnce(); // another process holds the file for the microseconds of its append
                }
            }
        }
    }
}
