using System.Globalization;
using System.Text;
using Routines;

namespace MLPipeline;

/// <summary>
/// Labelled rows as a CSV artifact: a header of the feature names and <c>class</c>, one line per row with the class's
/// name. What <c>load_dataset</c>, <c>split_dataset</c> and <c>standardize</c> produce and the next steps read.
/// </summary>
public static class LabeledCsv
{
    /// <summary>Stores the rows as a CSV artifact named <paramref name="name"/>.</summary>
    public static Task<Artifact> SaveAsync(RoutineContext ctx, string name, LabeledRows data, string[] featureNames, string[] classNames)
    {
        var csv = new StringBuilder().AppendJoin(',', featureNames).Append(",class\n");
        for (var i = 0; i < data.Rows.Length; i++)
        {
            foreach (var value in data.Rows[i]) csv.Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            csv.Append(classNames[data.Labels[i]]).Append('\n');
        }

        return ctx.Artifacts.SaveAsync(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", name);
    }

    /// <summary>Reads the rows of a CSV artifact back, numbering classes by <paramref name="classNames"/>.</summary>
    /// <exception cref="ArgumentException">The table does not have the expected shape.</exception>
    public static async Task<LabeledRows> ReadAsync(RoutineContext ctx, Artifact table, string[] classNames)
    {
        using var reader = new StreamReader(await ctx.Artifacts.OpenAsync(table));
        var header = (await reader.ReadLineAsync())?.Split(',') ?? throw new ArgumentException($"Artifact {table.Name} is empty.");
        var rows = new List<double[]>();
        var labels = new List<int>();
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
        {
            var cells = line.Split(',');
            if (cells.Length != header.Length) throw new ArgumentException($"Artifact {table.Name}, row {rows.Count + 1}: {cells.Length} columns, the header has {header.Length}.");
            rows.Add([.. cells[..^1].Select(c => double.Parse(c, CultureInfo.InvariantCulture))]);
            var label = Array.IndexOf(classNames, cells[^1]);
            labels.Add(label >= 0 ? label : throw new ArgumentException($"Artifact {table.Name}: class '{cells[^1]}' is not one of {string.Join(", ", classNames)}."));
        }

        return new LabeledRows([.. rows], [.. labels]);
    }
}
