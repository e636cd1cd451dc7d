using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Routines.Hosting;
using Routines.Serialization;
using Routines.Worker.Catalog;
using Routines.Worker.Commands;

namespace Routines.Worker.Tests;

/// <summary>
/// A routine declared wrongly (a policy out of range, a name no id can hold) stops its project from loading, with a
/// message naming the class, the field and the value; in-range declarations, the limits included, load as declared.
/// </summary>
public sealed class RoutineDeclarationTests
{
    [Theory]
    [InlineData(0.0, "[Timeout] must be more than zero seconds and at most 30 days; it was 0 s.")]
    [InlineData(-5.0, "it was -5 s.")]
    [InlineData(double.NaN, "it was NaN s.")]
    [InlineData(2_592_001.0, "it was 2592001 s.")]
    public void ATimeoutOutOfRange_StopsTheProjectLoading(double seconds, string says)
    {
        var error = Assert.Throws<RoutineDefinitionException>(() => Load(Timeout(seconds)));

        Assert.Equal("Declared.Routine", error.RoutineType);
        Assert.Contains("Routine Declared.Routine declares an invalid policy: [Timeout] must be more than zero seconds", error.Message);
        Assert.Contains(says, error.Message);
    }

    [Theory]
    [InlineData(nameof(RetryAttribute.MaxAttempts), 0, "[Retry] MaxAttempts must be at least 1; it was 0.")]
    [InlineData(nameof(RetryAttribute.InitialDelaySeconds), -1.0, "[Retry] InitialDelaySeconds must be a number of seconds, zero or more; it was -1.")]
    [InlineData(nameof(RetryAttribute.MaxDelaySeconds), double.PositiveInfinity, "[Retry] MaxDelaySeconds must be a number of seconds, zero or more; it was Infinity.")]
    [InlineData(nameof(RetryAttribute.BackoffCoefficient), 0.5, "[Retry] BackoffCoefficient must be a finite number, at least 1; it was 0.5.")]
    public void ARetryOutOfRange_StopsTheProjectLoading(string field, object value, string says)
    {
        var error = Assert.Throws<RoutineDefinitionException>(() => Load(Retry((field, value))));

        Assert.Equal($"Routine Declared.Routine declares an invalid policy: {says}", error.Message);
    }

    [Fact]
    public void APriorityOrConcurrencyLimitOutOfRange_StopsTheProjectLoading()
    {
        Assert.Equal("Routine Declared.Routine declares an invalid policy: [Priority] must be from -100 to 100; it was 101.",
            Assert.Throws<RoutineDefinitionException>(() => Load(Declared<PriorityAttribute>(101))).Message);
        Assert.Equal("Routine Declared.Routine declares an invalid policy: [ConcurrencyLimit] must allow at least 1 run at once; it was 0.",
            Assert.Throws<RoutineDefinitionException>(() => Load(Declared<ConcurrencyLimitAttribute>(0))).Message);
        var keyed = new CustomAttributeBuilder(typeof(ConcurrencyLimitAttribute).GetConstructor([typeof(int)])!, [1],
            [typeof(ConcurrencyLimitAttribute).GetProperty(nameof(ConcurrencyLimitAttribute.Key))!], ["model"]);
        Assert.Equal("Routine Declared.Routine declares an invalid policy: [ConcurrencyLimit] Key \"model\" names no property: the input, String, has none.",
            Assert.Throws<RoutineDefinitionException>(() => Load(keyed)).Message);
    }

    [Fact]
    public void AConcurrencyLimitsKey_IsAnInputPropertyByItsCSharpOrJsonName()
    {
        var routines = new RoutineRegistry([typeof(RoutineDeclarationTests).Assembly], RoutineJson.Default).Descriptors;

        var limit = Assert.Single(routines.Single(r => r.Id.Name == "per_model_training").Limits);
        Assert.Equal(new global::Routines.Client.ConcurrencyLimit(1, "model"), limit); // declared "model"; the C# property is Model
    }

    static CustomAttributeBuilder Declared<T>(int value) => new(typeof(T).GetConstructor([typeof(int)])!, [value]);

    [Theory]
    [InlineData("train model", "1.0.0", "the name 'train model' must be ASCII letters, digits, '_', '-' and '.', and not empty")]
    [InlineData("tname:x", "1.0.0", "the name 'tname:x' must be")]
    [InlineData("", "1.0.0", "the name '' must be")]
    [InlineData("train", "1.0 beta", "the version '1.0 beta' must be ASCII letters, digits, '.', '-', '+' and '_', and not empty")]
    public void ANameNoIdCanHold_StopsTheProjectLoading(string name, string version, string says)
    {
        var error = Assert.Throws<RoutineDefinitionException>(() => Load(name, version));

        Assert.StartsWith("Routine Declared.Routine cannot be called: ", error.Message);
        Assert.Contains(says, error.Message);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("info")]
    [InlineData("run-routine", "declared")]
    [InlineData("worker")]
    public async Task EveryVerb_ReportsAWrongDeclarationInOneLine_WithExitCode2(params string[] args)
    {
        var project = new ProjectSetup([Emit("declared", "1.0.0", Timeout(0))], new ServiceCollection(), new ConfigurationManager());
        var errors = new StringWriter();
        var console = Console.Error;
        Console.SetError(errors);
        int exitCode;
        try
        {
            exitCode = await RoutineCommandLine.InvokeAsync(args, project);
        }
        finally
        {
            Console.SetError(console);
        }

        Assert.Equal(2, exitCode);
        Assert.Contains("error: Routine Declared.Routine declares an invalid policy: [Timeout] must be more than zero seconds", errors.ToString());
        Assert.DoesNotContain("   at ", errors.ToString()); // no stack trace
    }

    [Fact]
    public void PoliciesAtTheirLimits_LoadAsDeclared()
    {
        var registry = Load(Timeout(TimeSpan.FromDays(30).TotalSeconds),
            Retry((nameof(RetryAttribute.MaxAttempts), 1), (nameof(RetryAttribute.InitialDelaySeconds), 0.0), (nameof(RetryAttribute.BackoffCoefficient), 1.0)));

        var routine = Assert.Single(registry.Descriptors);
        Assert.Equal(TimeSpan.FromDays(30), routine.Timeout);
        Assert.Equal(1, routine.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.Zero, routine.Retry.InitialDelay);
        Assert.Equal(1.0, routine.Retry.BackoffCoefficient);
    }

    [Fact]
    public void TriggersThatWouldStartEachOtherInALoop_StopTheProjectLoading()
    {
        var error = Assert.Throws<RoutineDefinitionException>(() => new RoutineRegistry(
            [EmitTriggers(("a_then_b", "loop_a", "loop_b", typeof(string)), ("b_then_a", "loop_b", "loop_a", typeof(string)))], RoutineJson.Default));

        Assert.Contains("would start its own source again in a loop (loop_a → loop_b → loop_a, through triggers a_then_b, b_then_a)", error.Message);
    }

    [Fact]
    public void ATriggerOfItsOwnSource_StopsTheProjectLoading()
    {
        var error = Assert.Throws<RoutineDefinitionException>(() => new RoutineRegistry(
            [EmitTriggers(("again", "loop_a", "loop_a", typeof(string)))], RoutineJson.Default));

        Assert.Contains("Trigger again would start its own source again in a loop (loop_a → loop_a", error.Message);
    }

    [Fact]
    public void ATriggerReadingItsSourcesOutputAsAnotherType_StopsTheProjectLoading()
    {
        var error = Assert.Throws<RoutineDefinitionException>(() => new RoutineRegistry(
            [EmitTriggers(("loosely", "loop_a", "loop_b", typeof(object)))], RoutineJson.Default));

        Assert.Contains("it reads loop_a's output as Object, but that routine returns String", error.Message);
    }

    [Fact]
    public void TriggersWithoutALoop_AreAdvertisedOnTheirSource()
    {
        var registry = new RoutineRegistry([EmitTriggers(("a_then_b", "loop_a", "loop_b", typeof(string)))], RoutineJson.Default);

        var trigger = Assert.Single(registry.Descriptors.Single(d => d.Id.Name == "loop_a").Triggers);
        Assert.Equal(("a_then_b", "loop_a", "loop_b"), (trigger.Name, trigger.Source, trigger.Target));
        Assert.Empty(registry.Descriptors.Single(d => d.Id.Name == "loop_b").Triggers);
    }

    /// <summary>
    /// A project of string-to-string routines and triggers between them (name, source, target, the source output type
    /// the trigger reads), built at run time: a loop declared in this assembly would stop every test loading it.
    /// </summary>
    static Assembly EmitTriggers(params (string Name, string Source, string Target, Type SourceOutput)[] triggers)
    {
        var module = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName($"Triggers{Guid.NewGuid():N}"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("Triggers");
        var routines = triggers.SelectMany(t => new[] { t.Source, t.Target }).Distinct().ToDictionary(name => name, name =>
        {
            var type = module.DefineType($"Triggers.{name}", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(RoutineTask<string, string>));
            type.SetCustomAttribute(new CustomAttributeBuilder(typeof(RoutineAttribute).GetConstructor([typeof(string)])!, [name]));
            type.DefineDefaultConstructor(MethodAttributes.Public);
            var run = type.DefineMethod(nameof(RoutineTask<string, string>.RunAsync), MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.HideBySig,
                typeof(Task<string>), [typeof(string), typeof(RoutineContext)]);
            run.GetILGenerator().Emit(OpCodes.Ldnull);
            run.GetILGenerator().Emit(OpCodes.Ret);
            return type.CreateType();
        });

        foreach (var (name, source, target, output) in triggers)
        {
            var type = module.DefineType($"Triggers.{name}", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class,
                typeof(RoutineTrigger<,,,>).MakeGenericType(routines[source], output, routines[target], typeof(string)));
            type.SetCustomAttribute(new CustomAttributeBuilder(typeof(TriggerAttribute).GetConstructor([typeof(string)])!, [name]));
            type.DefineDefaultConstructor(MethodAttributes.Public);
            var map = type.DefineMethod("InputFor", MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.HideBySig,
                typeof(string), [typeof(FinishedRun<>).MakeGenericType(output)]);
            var body = map.GetILGenerator(); // never run: the tests only load the project
            body.Emit(OpCodes.Ldnull);
            body.Emit(OpCodes.Ret);
            type.CreateType();
        }

        return module.Assembly;
    }

    static CustomAttributeBuilder Timeout(double seconds)
        => new(typeof(TimeoutAttribute).GetConstructor([typeof(double)])!, [seconds]);

    static CustomAttributeBuilder Retry(params (string Property, object Value)[] fields)
        => new(typeof(RetryAttribute).GetConstructor([])!, [],
            fields.Select(f => typeof(RetryAttribute).GetProperty(f.Property)!).ToArray(), fields.Select(f => f.Value).ToArray());

    static RoutineRegistry Load(params CustomAttributeBuilder[] policies) => Load("declared", "1.0.0", policies);

    static RoutineRegistry Load(string name, string version, params CustomAttributeBuilder[] policies)
        => new([Emit(name, version, policies)], RoutineJson.Default);

    /// <summary>
    /// A project holding one routine declared with this name, version and attributes. Built at run time: a class in
    /// this assembly would break every test that loads the assembly's routines.
    /// </summary>
    static Assembly Emit(string name, string version, params CustomAttributeBuilder[] policies)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName($"Declared{Guid.NewGuid():N}"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("Declared").DefineType("Declared.Routine",
            TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(RoutineTask<string, string>));
        type.SetCustomAttribute(new CustomAttributeBuilder(typeof(RoutineAttribute).GetConstructor([typeof(string)])!, [name],
            [typeof(RoutineAttribute).GetProperty(nameof(RoutineAttribute.Version))!], [version]));
        foreach (var policy in policies) type.SetCustomAttribute(policy);
        type.DefineDefaultConstructor(MethodAttributes.Public);
        var run = type.DefineMethod(nameof(RoutineTask<string, string>.RunAsync), MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.HideBySig,
            typeof(Task<string>), [typeof(string), typeof(RoutineContext)]);
        var body = run.GetILGenerator(); // never run: the tests only load the routine
        body.Emit(OpCodes.Ldnull);
        body.Emit(OpCodes.Ret);
        type.CreateType();
        return assembly;
    }
}
