using System.Globalization;
using System.Text.RegularExpressions;

namespace Routines.Silo.Tests.Telemetry;

/// <summary>Reads a Prometheus text scrape, as a dashboard's or KEDA's query would see it.</summary>
internal static class PrometheusText
{
    /// <summary>The sum of a metric's samples whose labels <paramref name="match"/> accepts.</summary>
    public static double Sum(string scrape, string metric, Func<IReadOnlyDictionary<string, string>, bool> match)
    {
        var sum = 0.0;
        foreach (Match sample in Regex.Matches(scrape, $@"^{Regex.Escape(metric)}\{{(?<labels>[^}}]*)\}} (?<value>\S+)", RegexOptions.Multiline))
        {
            var labels = Regex.Matches(sample.Groups["labels"].Value, @"(?<name>\w+)=""(?<value>[^""]*)""")
                .ToDictionary(l => l.Groups["name"].Value, l => l.Groups["value"].Value);
            if (match(labels)) sum += double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
