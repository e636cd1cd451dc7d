using Routines.Serialization;
using Routines.Silo.Runs;

namespace Routines.Silo.Tests.Runs;

/// <summary>
/// The canonical input text is stored with every run and hashed into task cache keys, so it must not drift between
/// versions: the expected strings are what earlier versions wrote.
/// </summary>
public sealed class CacheKeyTests
{
    static string Canonical(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return CanonicalJson.Of(document.RootElement);
    }

    [Theory]
    [InlineData("""{ "b": 1, "a": { "z": [3, 2, { "y": 1, "x": 2 }] } }""", """{"a":{"z":[3,2,{"x":2,"y":1}]},"b":1}""")]
    [InlineData("""{"n": 1.50e3, "big": 123456789012345678901234567890, "t": true, "nul": null}""",
        """{"big":123456789012345678901234567890,"n":1.50e3,"nul":null,"t":true}""")]
    [InlineData("""{"c": "é<>&'\"\\u00e9\n"}""", """{"c":"\u00E9\u003C\u003E\u0026\u0027\u0022\\u00e9\n"}""")]
    [InlineData("""{"B":1,"a":2,"A":3,"b":4,"é":5,"e":6,"😀":"😀"}""", """{"A":3,"B":1,"a":2,"b":4,"e":6,"\u00E9":5,"\uD83D\uDE00":"\uD83D\uDE00"}""")]
    [InlineData("""[ {"b":1, "a":2}, "x" ]""", """[{"a":2,"b":1},"x"]""")]
    [InlineData(" null ", "null")]
    [InlineData("""{"b": 1, "a": 2, "b": 3, "a": 4}""", """{"a":2,"a":4,"b":1,"b":3}""")]
    public void Canonicalize_SortsMembersOrdinally_AndKeepsValuesAsWritten(string input, string canonical)
        => Assert.Equal(canonical, Canonical(input));

    [Fact]
    public void EqualInputs_WrittenDifferently_HaveOneKey()
    {
        var id = RoutineId.Parse("tname:add:1.0.0");
        var key = CacheKey.For(id, Canonical("""{"a": 1, "b": 2}"""));

        Assert.Equal(key, CacheKey.For(id, Canonical("{\n  \"b\":2,\"a\":1 }")));
        Assert.NotEqual(key, CacheKey.For(id, Canonical("""{"a": 2, "b": 1}""")));
        Assert.StartsWith("add:1.0.0:", key);
    }

    [Fact]
    public void Canonicalizing_OneInputAfterAnother_WritesEachAlone()
    {
        // Each thread reuses one buffer and writer: a second input must not carry anything of the first.
        Assert.Equal("""{"a":{"b":1}}""", Canonical("""{ "a": { "b": 1 } }"""));
        Assert.Equal("[2]", Canonical(" [ 2 ] "));
        Assert.Equal("3", Canonical("3"));
    }

    [Theory]
    [InlineData("""{ "b": [1, {"d": 2, "c": 3}], "a": "é" }""")]
    [InlineData("not JSON at all")]
    [InlineData("{\"a\": \"\ud800\"}")] // a lone surrogate: JSON text cannot carry it
    public void HashingANameAndAnInput_HashesTheNameANewlineAndTheCanonicalText_AndLeavesNothingBehind(string input)
    {
        Span<byte> hash = stackalloc byte[32];
        CanonicalJson.Hash("tname:add", input, hash);

        var text = CanonicalJson.TryOf(input) ?? input;
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("tname:add\n" + text)), hash.ToArray());
        Assert.Equal("[2]", Canonical(" [ 2 ] "));
    }
}
