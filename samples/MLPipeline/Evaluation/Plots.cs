using ScottPlot;

namespace MLPipeline;

/// <summary>The evaluation's charts as PNG bytes, drawn with ScottPlot.</summary>
/// <remarks>
/// The fonts ship with the project (fonts/, DejaVu Sans): a machine without system fonts would otherwise draw the
/// charts with no text at all, silently.
/// </remarks>
internal static class Plots
{
    static readonly Lazy<bool> FontsRegistered = new(() =>
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "fonts");
        Fonts.AddFontFile("DejaVu Sans", Path.Combine(directory, "DejaVuSans.ttf"), bold: false, italic: false);
        Fonts.AddFontFile("DejaVu Sans", Path.Combine(directory, "DejaVuSans-Bold.ttf"), bold: true, italic: false);
        Fonts.Default = "DejaVu Sans";
        return true;
    });

    // ScottPlot's font registry is process-wide, and rendering is not documented as thread-safe: one chart at a time.
    static readonly Lock Drawing = new();

    /// <summary>The training loss after each epoch.</summary>
    public static byte[] LossCurve(double[] lossByEpoch)
    {
        lock (Drawing)
        {
            _ = FontsRegistered.Value;
            var plot = new Plot();
            var line = plot.Add.Scatter(Enumerable.Range(1, lossByEpoch.Length).Select(e => (double)e).ToArray(), lossByEpoch);
            line.LegendText = "training loss";
            line.LineWidth = 2;
            line.MarkerSize = lossByEpoch.Length <= 50 ? 4 : 0;
            plot.Title("Loss curve");
            plot.XLabel("Epoch");
            plot.YLabel("Loss (cross-entropy + L2)");
            plot.Axes.SetLimitsY(0, lossByEpoch.DefaultIfEmpty(1).Max() * 1.1);
            return plot.GetImageBytes(800, 480, ImageFormat.Png);
        }
    }

    /// <summary>The confusion matrix as a heatmap with the count in each cell: rows are true classes, columns predicted.</summary>
    public static byte[] ConfusionMatrix(int[][] matrix, string[] classes)
    {
        lock (Drawing)
        {
            _ = FontsRegistered.Value;
            var n = classes.Length;
            var values = new double[n, n];
            for (var r = 0; r < n; r++)
            for (var c = 0; c < n; c++)
                values[r, c] = matrix[r][c];

            var plot = new Plot();
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed(); // more rows, darker
            heatmap.ManualRange = new ScottPlot.Range(0, Math.Max(1, matrix.Max(row => row.Max())));
            heatmap.Rectangle = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5); // cell (r, c) centred at x = c, y = n - 1 - r
            for (var r = 0; r < n; r++)
            for (var c = 0; c < n; c++)
            {
                var text = plot.Add.Text(matrix[r][c].ToString(System.Globalization.CultureInfo.InvariantCulture), c, n - 1 - r);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 24;
                text.LabelBold = true;
                text.LabelFontColor = heatmap.Colormap.GetColor(values[r, c], heatmap.ManualRange!.Value).Luminance > 0.5 ? Colors.Black : Colors.White;
            }

            var ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, classes);
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks.Select(v => n - 1 - v)], classes);
            plot.Axes.Bottom.MajorTickStyle.Length = 0;
            plot.Axes.Left.MajorTickStyle.Length = 0;
            plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
            plot.Axes.Margins(0, 0);
            plot.Grid.IsVisible = false;
            plot.Title("Confusion matrix");
            plot.XLabel("Predicted class");
            plot.YLabel("True class");
            plot.Add.ColorBar(heatmap);
            return plot.GetImageBytes(640, 540, ImageFormat.Png);
        }
    }
}
