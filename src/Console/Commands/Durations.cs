using System.Globalization;
using System.Text.RegularExpressions;

namespace Routines.Cli.Commands;

/// <summary>Durations as the verbs take them: a number and a unit (30s, 5m, 2h, 7d).</summary>
internal static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (Short().Match(text) is not { Success: true } match) return false;
        var amount = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        duration = match.Groups["unit"].Value switch
        {
            "s" => TimeSpan.FromSeconds(amount), "m" => TimeSpan.FromMinutes(amount), "h" => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount),
        };
        return true;
    }

    [GeneratedRegex("^(?<n>[0-9]+(\\.[0-9]+)?)(?<unit>[smhd])$")]
    private static partial Regex Short();
}
