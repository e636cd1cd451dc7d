using Routines.Client;
using System.Reflection;
using System.Text.Json;
using Routines.Cluster;
using Routines.Serialization;

namespace Routines.Worker.Catalog;

/// <summary>The routine classes of a project, found by their <see cref="RoutineAttribute"/>.</summary>
internal sealed class RoutineRegistry
{
    readonly Dictionary<RoutineId, RegisteredRoutine> _byId;
    readonly Dictionary<string, RegisteredTrigger> _triggers;

    /// <summary>Finds the routines of the given assemblies; throws with the offending classes on duplicate ids.</summary>
    public RoutineRegistry(IEnumerable<Assembly> assemblies, JsonSerializerOptions json)
    {
        var routines = assemblies.Distinct()
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetCustomAttribute<RoutineAttribute>() is not null)
            .Select(t => Register(t, json))
            .ToList();

        var duplicate = routines.GroupBy(r => (r.Id.Name, r.Id.Version)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new RoutineDefinitionException(duplicate.First().Type.FullName!,
                $"Routine {duplicate.Key.Name}@{duplicate.Key.Version} is defined twice "
              + $"({string.Join(" and ", duplicate.Select(r => r.Type.FullName))}). Give each a distinct name or version.");
        }

        var sharedSchedule = routines.SelectMany(r => r.Descriptor.Schedules.Select(s => (Schedule: s.Name, Routine: r)))
            .GroupBy(x => x.Schedule).FirstOrDefault(g => g.Select(x => x.Routine.Id.Name).Distinct().Count() > 1);
        if (sharedSchedule is not null)
        {
            throw new RoutineDefinitionException(sharedSchedule.First().Routine.Type.FullName!,
                $"Schedule '{sharedSchedule.Key}' is declared by {string.Join(" and ", sharedSchedule.Select(x => x.Routine.Type.FullName).Distinct())}. "
              + "Give each [Schedule] a distinct Name.");
        }

        var triggers = assemblies.Distinct().SelectMany(a => a.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetCustomAttribute<TriggerAttribute>() is not null)
            .Select(t => RegisterTrigger(t, routines))
            .ToList();
        RefuseLoops(triggers);
        _triggers = triggers.ToDictionary(t => t.Descriptor.Name, StringComparer.Ordinal);
        routines = [.. routines.Select(r => r with
        {
            Descriptor = r.Descriptor with { Triggers = [.. triggers.Where(t => t.Descriptor.Source == r.Id.Name).Select(t => t.Descriptor)] },
        })];
        _byId = routines.ToDictionary(r => r.Id);
    }

    internal IReadOnlyCollection<RegisteredRoutine> All => _byId.Values;

    internal RegisteredRoutine? Find(RoutineId id) => _byId.GetValueOrDefault(id);

    internal RegisteredTrigger? FindTrigger(string name) => _triggers.GetValueOrDefault(name);

    /// <summary>The descriptors this worker advertises.</summary>
    public IReadOnlyList<RoutineDescriptor> Descriptors => _byId.Values.Select(r => r.Descriptor)
        .OrderBy(d => d.Id.Name, StringComparer.Ordinal).ToList();

    static RegisteredRoutine Register(Type type, JsonSerializerOptions json)
    {
        var (input, output) = IoTypesOf(type);
        var declared = type.GetCustomAttribute<RoutineAttribute>()!;
        if (RoutineId.ProblemWith(declared.Name, declared.Version) is { } badId)
            throw new RoutineDefinitionException(type.FullName!, $"Routine {type.FullName} cannot be called: {badId}.");

        var id = RoutineId.Of(type);
        var kind = id.Kind!.Value;
        var declaredRetry = type.GetCustomAttribute<RetryAttribute>();
        var declaredTimeout = type.GetCustomAttribute<TimeoutAttribute>();
        var priority = type.GetCustomAttribute<PriorityAttribute>()?.Priority ?? 0;
        var limits = type.GetCustomAttributes<ConcurrencyLimitAttribute>().Select(a => a.ToLimit()).ToList();
        // A worker does not start with a routine it would run under a policy nobody declared.
        if ((declaredRetry?.Problem() ?? declaredTimeout?.Problem() ?? PriorityAttribute.Problem(priority, "[Priority]")
             ?? limits.Select(l => l.Problem(input.Name, PropertyNames(input, json))).FirstOrDefault(p => p is not null)) is { } problem)
            throw new RoutineDefinitionException(type.FullName!, $"Routine {type.FullName} declares an invalid policy: {problem}");

        var schedules = SchedulesOf(type, id.Name, input, json);
        var retry = declaredRetry?.ToPolicy() ?? (kind == RoutineKind.Task ? new RetryPolicy() : RetryPolicy.None);
        var descriptor = new RoutineDescriptor
        {
            Id = id,
            Description = type.GetCustomAttribute<RoutineAttribute>()!.Description,
            InputSchema = RoutineSchema.For(input, json).ToJsonString(),
            OutputSchema = RoutineSchema.For(output, json).ToJsonString(),
            InputType = input.FullName ?? input.Name,
            OutputType = output.FullName ?? output.Name,
            Retry = retry,
            Timeout = declaredTimeout?.Timeout ?? TimeoutAttribute.DefaultFor(kind),
            Cache = kind == RoutineKind.Task && (type.GetCustomAttribute<CacheAttribute>()?.Enabled ?? true),
            Execution = type.GetCustomAttribute<ExecutionAttribute>()?.Policy ?? ExecutionPolicy.Remote,
            Priority = priority,
            Limits = limits,
            Schedules = schedules,
        };

        var invoke = typeof(RoutineRegistry).GetMethod(nameof(InvokeAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(input, output)
            .CreateDelegate<Func<object, object?, RoutineContext, Task<object?>>>();
        return new RegisteredRoutine(type, input, output, descriptor, invoke);
    }

    /// <summary>A trigger class, checked: its routines are this project's, its types theirs, its statuses terminal.</summary>
    static RegisteredTrigger RegisterTrigger(Type type, IReadOnlyList<RegisteredRoutine> routines)
    {
        var declared = type.GetCustomAttribute<TriggerAttribute>()!;
        RoutineDefinitionException Refused(string problem) => new(type.FullName!, $"Trigger {type.FullName} cannot be used: {problem}.");

        var generic = type.BaseType;
        while (generic is not null && !(generic.IsGenericType && generic.GetGenericTypeDefinition() == typeof(RoutineTrigger<,,,>))) generic = generic.BaseType;
        if (generic is null) throw Refused("a [Trigger] class derives from RoutineTrigger<TSource, TSourceOutput, TTarget, TTargetInput>");
        var (source, sourceOutput, target, targetInput) = (generic.GenericTypeArguments[0], generic.GenericTypeArguments[1],
            generic.GenericTypeArguments[2], generic.GenericTypeArguments[3]);
        if (RoutineId.ProblemWith(declared.Name, "1") is { } badName) throw Refused(badName.Replace("the name", "its name"));
        var sourceRoutine = routines.FirstOrDefault(r => r.Type == source) ?? throw Refused($"its source {source.Name} is not a routine of this project");
        var targetRoutine = routines.FirstOrDefault(r => r.Type == target) ?? throw Refused($"its target {target.Name} is not a routine of this project");
        if (sourceRoutine.OutputType != sourceOutput)
            throw Refused($"it reads {sourceRoutine.Id.Name}'s output as {sourceOutput.Name}, but that routine returns {sourceRoutine.OutputType.Name}");
        if (targetRoutine.InputType != targetInput)
            throw Refused($"it builds {targetInput.Name}, but {targetRoutine.Id.Name} takes {targetRoutine.InputType.Name}");
        if (declared.On is not { Length: > 0 } on || on.Any(s => !s.IsTerminal()))
            throw Refused($"On must name terminal statuses (Succeeded, Failed, TimedOut, Cancelled); it was [{string.Join(", ", declared.On ?? [])}]");
        return new RegisteredTrigger(type, new TriggerDescriptor(declared.Name, sourceRoutine.Id.Name, targetRoutine.Id.Name, [.. on.Distinct()]),
            sourceOutput, targetInput);
    }

    /// <summary>Two triggers of one name, or triggers that would start their own source again, stop the project loading.</summary>
    static void RefuseLoops(IReadOnlyList<RegisteredTrigger> triggers)
    {
        if (triggers.GroupBy(t => t.Descriptor.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new RoutineDefinitionException(twice.First().Type.FullName!,
                $"Trigger {twice.Key} is declared twice ({string.Join(" and ", twice.Select(t => t.Type.FullName))}). Give each a distinct name.");
        }

        var next = triggers.ToLookup(t => t.Descriptor.Source, StringComparer.Ordinal);
        foreach (var start in triggers)
        {
            // Depth-first from each trigger: reaching its own source again is a loop.
            var path = new List<RegisteredTrigger>();
            if (Loops(start, start.Descriptor.Source, next, path, []))
            {
                var chain = string.Join(" → ", path.Select(t => t.Descriptor.Source).Append(start.Descriptor.Source));
                throw new RoutineDefinitionException(start.Type.FullName!,
                    $"Trigger {start.Descriptor.Name} would start its own source again in a loop ({chain}, through triggers "
                  + $"{string.Join(", ", path.Select(t => t.Descriptor.Name))}). Break the loop: a trigger may not lead back to the routine it watches.");
            }
        }
    }

    static bool Loops(RegisteredTrigger trigger, string origin, ILookup<string, RegisteredTrigger> next, List<RegisteredTrigger> path, HashSet<string> seen)
    {
        path.Add(trigger);
        if (trigger.Descriptor.Target == origin) return true;
        if (seen.Add(trigger.Descriptor.Target))
        {
            foreach (var following in next[trigger.Descriptor.Target])
                if (Loops(following, origin, next, path, seen)) return true;
        }

        path.RemoveAt(path.Count - 1);
        return false;
    }

    /// <summary>The schedules declared on the routine, each checked as the service would, and its input against the input type.</summary>
    static IReadOnlyList<Schedule> SchedulesOf(Type type, string routineName, Type input, JsonSerializerOptions json)
    {
        var schedules = new List<Schedule>();
        foreach (var declared in type.GetCustomAttributes<ScheduleAttribute>())
        {
            var (schedule, problem) = declared.ToSchedule(routineName);
            if (schedule is not null)
            {
                try
                {
                    JsonSerializer.Deserialize(schedule.InputJson, input, json);
                }
                catch (JsonException error)
                {
                    problem = $"[Schedule] {schedule.Name}'s Input does not fit {input.Name}: {error.Message}";
                }
            }

            if (problem is not null) throw new RoutineDefinitionException(type.FullName!, $"Routine {type.FullName} declares an invalid schedule: {problem}");
            if (schedules.Any(s => s.Name == schedule!.Name))
            {
                throw new RoutineDefinitionException(type.FullName!,
                    $"Routine {type.FullName} declares two schedules named '{schedule!.Name}': give each [Schedule] a distinct Name.");
            }

            schedules.Add(schedule!);
        }

        return schedules;
    }

    /// <summary>The input's top-level properties by their C# and their JSON names, which a concurrency limit's key may use.</summary>
    static IReadOnlyCollection<string> PropertyNames(Type input, JsonSerializerOptions json)
        => json.GetTypeInfo(input) is { Kind: System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object } info
            ? [.. info.Properties.Select(p => p.Name).Concat(info.Properties.Select(p => (p.AttributeProvider as MemberInfo)?.Name).OfType<string>()).Distinct()]
            : [];

    static (Type Input, Type Output) IoTypesOf(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(RoutineTask<,>) || t.GetGenericTypeDefinition() == typeof(RoutineWorkflow<,>)))
                return (t.GetGenericArguments()[0], t.GetGenericArguments()[1]);
        }

        throw new RoutineDefinitionException(type.FullName!, $"{type.FullName} must derive from RoutineTask<TInput, TOutput> or RoutineWorkflow<TInput, TOutput>.");
    }

    static async Task<object?> InvokeAsync<TInput, TOutput>(object routine, object? input, RoutineContext context) => routine switch
    {
        RoutineTask<TInput, TOutput> task => await task.RunAsync((TInput)input!, context),
        RoutineWorkflow<TInput, TOutput> workflow => await workflow.RunAsync((TInput)input!, (WorkflowContext)context),
        _ => throw new InvalidOperationException($"{routine.GetType()} is not a routine."),
    };
}
