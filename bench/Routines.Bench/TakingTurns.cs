namespace Routines.Bench;

/// <summary>
/// Bench processes (one per build, each with its own cluster) that measure in turns, a round each, so that the machine's
/// drift, which is slow against a round of a few seconds, falls on every build alike. Turns pass through files in one
/// folder: a member writes <c>ready-{member}</c> when warmed up, waits for <c>{round}-{member}</c> and, after its round,
/// writes the next member's turn. Whoever starts them (bench/compare-builds.sh) writes <c>0-0</c> once all are ready, or
/// <c>stop</c> when one ended before that.
/// </summary>
internal sealed record TakingTurns(string Folder, int Member, int Members)
{
    /// <summary>From <c>--take-turns FOLDER --member I --members N</c>; null without <c>--take-turns</c>.</summary>
    public static TakingTurns? From(string[] args)
    {
        var folder = args.SkipWhile(a => a != "--take-turns").Skip(1).FirstOrDefault();
        if (folder is null) return null;
        var members = ClusterBench.OptionValue(args, "--members") ?? throw new ArgumentException("--take-turns needs --members N");
        var member = ClusterBench.OptionValue(args, "--member") ?? throw new ArgumentException("--take-turns needs --member I");
        return new TakingTurns(folder, member, members);
    }

    public async Task RunAsync(int rounds, Func<Task> round)
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, $"ready-{Member}"), "");
        for (var r = 0; r < rounds; r++)
        {
            while (!File.Exists(Path.Combine(Folder, $"{r}-{Member}")))
            {
                if (File.Exists(Path.Combine(Folder, "stop"))) throw new InvalidOperationException("Another member ended before its turns.");
                await Task.Delay(10);
            }

            // The previous member's last writes and deactivations finish first.
            await Task.Delay(500);
            await round();
            var next = Member + 1 < Members ? $"{r}-{Member + 1}" : $"{r + 1}-0";
            await File.WriteAllTextAsync(Path.Combine(Folder, next), "");
        }
    }
}
