using System.Text;

namespace Routines.Worker.Tests.Routines;

public sealed record TableInput(int Rows, string Key);

public sealed record TableOutput(Artifact Table, int Rows);

/// <summary>Stores a CSV of <c>Rows</c> rows (the same bytes for the same count) and returns its reference.</summary>
[Routine("art_make_table")]
public sealed class MakeTable(Executions executions) : RoutineTask<TableInput, TableOutput>
{
    public override async Task<TableOutput> RunAsync(TableInput input, RoutineContext ctx)
    {
        executions.Increment(input.Key);
        var csv = new StringBuilder("x,y\n");
        for (var i = 0; i < input.Rows; i++) csv.Append(i).Append(',').Append(i * i).Append('\n');
        var table = await ctx.Artifacts.SaveAsync(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "table.csv");
        return new TableOutput(table, input.Rows);
    }
}

public sealed record CountInput(Artifact Table, string Key, bool ViaFile = false);

/// <summary>Counts the data rows of a CSV artifact, from its stream or from a local file.</summary>
[Routine("art_count_rows")]
[Retry(MaxAttempts = 1)]
public sealed class CountRows(Executions executions) : RoutineTask<CountInput, int>
{
    public override async Task<int> RunAsync(CountInput input, RoutineContext ctx)
    {
        executions.Increment(input.Key);
        if (input.ViaFile) return (await File.ReadAllLinesAsync(await ctx.Artifacts.GetFileAsync(input.Table))).Length - 1;
        using var reader = new StreamReader(await ctx.Artifacts.OpenAsync(input.Table));
        var lines = 0;
        while (await reader.ReadLineAsync() is not null) lines++;
        return lines - 1;
    }
}

/// <summary>Reads an artifact and hides the store's error behind its own, as careless code does.</summary>
[Routine("art_swallow")]
[Retry(MaxAttempts = 1)]
public sealed class SwallowStoreError : RoutineTask<CountInput, int>
{
    public override async Task<int> RunAsync(CountInput input, RoutineContext ctx)
    {
        try
        {
            await using var stream = await ctx.Artifacts.OpenAsync(input.Table);
            await stream.CopyToAsync(Stream.Null);
            return 0;
        }
        catch (Exception)
        {
            throw new InvalidOperationException("could not count");
        }
    }
}

public sealed record PipelineInput(int Rows, string Key);

/// <summary>Makes a table on one call and counts it on another: the reference travels, the bytes do not.</summary>
[Routine("art_pipeline")]
public sealed class TablePipeline : RoutineWorkflow<PipelineInput, TableOutput>
{
    public override async Task<TableOutput> RunAsync(PipelineInput input, WorkflowContext ctx)
    {
        var made = await ctx.CallAsync<MakeTable, TableOutput>(new TableInput(input.Rows, input.Key + "-make"));
        var counted = await ctx.CallAsync<CountRows, int>(new CountInput(made.Table, input.Key + "-count"));
        return made with { Rows = counted };
    }
}

public sealed record BigOutput(IReadOnlyList<string> Lines);

/// <summary>Returns about 400 KB of JSON: more than the engine keeps in a run record.</summary>
[Routine("art_big_output")]
public sealed class MakeBigOutput : RoutineTask<TableInput, BigOutput>
{
    public override Task<BigOutput> RunAsync(TableInput input, RoutineContext ctx)
        => Task.FromResult(new BigOutput([.. Enumerable.Range(0, input.Rows).Select(i => $"line {i} of {input.Key}: " + new string('x', 80))]));
}

/// <summary>Calls art_big_output and counts what it got back.</summary>
[Routine("art_big_parent")]
public sealed class BigOutputParent : RoutineWorkflow<TableInput, int>
{
    public override async Task<int> RunAsync(TableInput input, WorkflowContext ctx)
        => (await ctx.CallAsync<MakeBigOutput, BigOutput>(input)).Lines.Count(l => l.EndsWith('x'));
}
