using System.Globalization;

namespace MLPipeline;

/// <summary>
/// The datasets that ship with the project: every <c>data/*.csv</c> next to the binary. A CSV has a header row, numeric
/// feature columns and the class label in its last column.
/// </summary>
/// <remarks>
/// A service rather than code inside the task, so the task stays a thin, testable step and a test (or a real
/// deployment reading from object storage) can register a different catalog in <c>Program.cs</c>.
/// </remarks>
public sealed class DatasetCatalog
{
    readonly string _directory;

    public DatasetCatalog() : this(Path.Combine(AppContext.BaseDirectory, "data")) { }

    public DatasetCatalog(string directory) => _directory = directory;

    /// <summary>The names of the available datasets (file names without <c>.csv</c>), sorted.</summary>
    public IReadOnlyList<string> Names => Directory.Exists(_directory)
        ? Directory.EnumerateFiles(_directory, "*.csv").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>Reads the dataset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No dataset has that name; the message lists those that exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed dataset CSV.</exception>
    public (string[] FeatureNames, string[] ClassNames, LabeledRows Data) Load(string name)
    {
        // Only names from the listing are accepted, so a name can never point outside the data folder.
        var names = Names;
        if (!names.Contains(name, StringComparer.Ordinal))
        {
            var available = names.Count > 0 ? string.Join(", ", names) : $"none: no .csv files in {_directory}";
            throw new ArgumentException($"Unknown dataset '{name}'. Available datasets: {available}.");
        }

        var path = Path.Combine(_directory, name + ".csv");
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2) throw new InvalidDataException($"{path} has no data rows.");

        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        if (header.Length < 2) throw new InvalidDataException($"{path}: the header needs feature columns and a label column.");
        var featureNames = header[..^1];

        var classNames = new List<string>();
        var rows = new List<double[]>();
        var labels = new List<int>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
                throw new InvalidDataException($"{path}, line {i + 1}: {cells.Length} columns, the header has {header.Length}.");

            var row = new double[featureNames.Length];
            for (var j = 0; j < row.Length; j++)
            {
                if (!double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]) || !double.IsFinite(row[j]))
                    throw new InvalidDataException($"{path}, line {i + 1}: {featureNames[j]} = '{cells[j]}' is not a number.");
            }

            // Classes are numbered in order of first appearance, so the numbering is fixed by the file.
            var label = cells[^1].Trim();
            var index = classNames.IndexOf(label);
            if (index < 0)
            {
                index = classNames.Count;
                classNames.Add(label);
            }

            rows.Add(row);
            labels.Add(index);
        }

        return (featureNames, [.. classNames], new LabeledRows([.. rows], [.. labels]));
    }
}
