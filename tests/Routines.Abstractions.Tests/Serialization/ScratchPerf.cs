using System.Diagnostics;
using System.Text.Json;
using Routines.Serialization;
using Xunit.Abstractions;
namespace Routines.Tests.Serialization;
public sealed class ScratchPerf(ITestOutputHelper output)
{
    [Fact]
    public void Perf()
    {
        var schema = RoutineSchema.For(typeof(TrainInput));
        const string json = """{ "learningRate": 0.01, "epochs": 10, "optimizer": "adam", "hiddenLayers": [64, 32, 16, 8], "model": { "layers": [ { "units": 64 }, { "units": 10, "activation": "softmax" } ] }, "note": "baseline" }""";
        const string bad = """{ "learningRate": "x", "epochs": 10.5, "optimizer": "adamw", "hiddenLayers": [64, null], "model": { "layers": [ { "unitz": 64 } ] }, "nte": "baseline" }""";
        foreach (var (name, input) in new[] { ("valid", json), ("invalid", bad) })
        {
            for (var i = 0; i < 20_000; i++) InputValidator.Validate(schema, input);
            var sw = Stopwatch.StartNew();
            const int n = 200_000;
            for (var i = 0; i < n; i++) InputValidator.Validate(schema, input);
            output.WriteLine($"{name}: {sw.Elapsed.TotalMicroseconds / n:F2} µs per validation");
            sw.Restart();
            for (var i = 0; i < n; i++) { try { JsonSerializer.Deserialize<TrainInput>(input, RoutineJson.Default); } catch (JsonException) { } }
            output.WriteLine($"{name}: {sw.Elapsed.TotalMicroseconds / n:F2} µs per deserialize");
        }
        foreach (var p in InputValidator.Validate(schema, bad)) output.WriteLine(p.ToString());
    }
}
