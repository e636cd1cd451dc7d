namespace Routines.Tests.Apps;

/// <summary>
/// Appends one line per execution to the file named by ROUTINES_TEST_JOURNAL, so a test in another process can count
/// how often each step really ran (a line is "key pid").
/// </summary>
public static class Journal
{
    public static void Record(string key)
    {
        if (Environment.GetEnvironmentVariable("ROUTINES_TEST_JOURNAL") is { Length: > 0 } path)
            File.AppendAllText(path, $"{key} {Environment.ProcessId}\n");
    }
}
