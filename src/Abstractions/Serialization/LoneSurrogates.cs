using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Routines.Serialization;

/// <summary>
/// Finds strings and field names whose escapes hold half of a UTF-16 surrogate pair (<c>"\ud800"</c>). JSON's grammar
/// allows them, but they are not text: .NET cannot write them back out, so the input could be neither stored nor read.
/// </summary>
internal static class LoneSurrogates
{
    public static IReadOnlyList<InputProblem> Find(JsonElement input)
    {
        // Only an input with a \u escape somewhere can hold one: one scan of the raw bytes spares every other input the walk.
        if (JsonMarshal.GetRawUtf8Value(input).IndexOf("\\u"u8) < 0) return [];
        var problems = new List<InputProblem>();
        Walk(input, "$", problems);
        return problems;
    }

    static void Walk(JsonElement element, string path, List<InputProblem> problems)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when HasOne(JsonMarshal.GetRawUtf8Value(element)):
                problems.Add(new InputProblem(path, Problem("this string")));
                break;
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    var name = JsonMarshal.GetRawUtf8PropertyName(member);
                    // The name as written, escapes and all: it cannot be turned into a .NET string.
                    if (HasOne(name)) problems.Add(new InputProblem($"{path}.{Encoding.UTF8.GetString(name)}", Problem("this field's name")));
                    else Walk(member.Value, $"{path}.{member.Name}", problems);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray()) Walk(item, $"{path}[{index++}]", problems);
                break;
        }
    }

    static string Problem(string what)
        => $"{what} holds a lone UTF-16 surrogate escape (\\ud800-\\udfff without its pair), which is not text; send the character itself or a complete pair";

    /// <summary>True when the escaped JSON text has a high surrogate not followed by a low one, or a low one alone.</summary>
    static bool HasOne(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\') continue;
            if (i + 1 >= raw.Length || raw[i + 1] != 'u') { i++; continue; }
            if (!TryUnit(raw, i, out var unit)) return false; // the reader accepted the text, so this cannot happen
            if (char.IsLowSurrogate(unit)) return true;
            if (char.IsHighSurrogate(unit))
            {
                if (!TryUnit(raw, i + 6, out var next) || !char.IsLowSurrogate(next)) return true;
                i += 6;
            }

            i += 5;
        }

        return false;
    }

    static bool TryUnit(ReadOnlySpan<byte> raw, int at, out char unit)
    {
        unit = default;
        if (at + 6 > raw.Length || raw[at] != '\\' || raw[at + 1] != 'u') return false;
        if (!ushort.TryParse(raw.Slice(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)) return false;
        unit = (char)value;
        return true;
    }
}
