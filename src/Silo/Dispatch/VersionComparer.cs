namespace Routines.Silo.Dispatch;

/// <summary>Orders semantic versions (1.10.0 after 1.9.0; a pre-release before its release); unparsable text sorts ordinally.</summary>
internal sealed class VersionComparer : IComparer<string>
{
    public static readonly VersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var (xCore, xPre) = Split(x ?? "");
        var (yCore, yPre) = Split(y ?? "");
        if (Version.TryParse(Pad(xCore), out var xv) && Version.TryParse(Pad(yCore), out var yv))
        {
            var byCore = xv.CompareTo(yv);
            if (byCore != 0) return byCore;
            if (xPre is null || yPre is null) return (xPre is null ? 1 : 0) - (yPre is null ? 1 : 0);
            return string.CompareOrdinal(xPre, yPre);
        }

        return string.CompareOrdinal(x, y);
    }

    static (string Core, string? Pre) Split(string version)
    {
        var dash = version.IndexOf('-');
        return dash < 0 ? (version, null) : (version[..dash], version[(dash + 1)..]);
    }

    static string Pad(string core) => core.Count(c => c == '.') == 0 ? core + ".0" : core;
}
