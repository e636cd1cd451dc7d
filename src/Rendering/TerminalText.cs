using System.Text;

namespace Routines.Rendering;

/// <summary>
/// Text a routine wrote (log lines, progress messages, errors), made safe to print to a terminal: control characters
/// and escape sequences are shown as <c>\x1B</c>, so a routine cannot move the cursor, clear the screen, retitle the
/// window or hide text from the user reading its output.
/// </summary>
internal static class TerminalText
{
    /// <summary>The text with every control character but a line break or tab (and every bidirectional override) escaped.</summary>
    public static string Visible(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!text.Any(IsUnsafe)) return text;
        var visible = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (IsUnsafe(c)) visible.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
            else visible.Append(c);
        }

        return visible.ToString();
    }

    /// <summary>The text made <see cref="Visible"/> and escaped for Spectre.Console's markup.</summary>
    public static string Markup(string? text) => Spectre.Console.Markup.Escape(Visible(text));

    // C0 controls (ESC, BEL, backspace, carriage return …) but \n and \t, DEL, the C1 controls (0x9B is a one-byte
    // CSI), and the bidirectional embeddings, overrides and isolates that reorder what the eye sees.
    static bool IsUnsafe(char c)
        => (c < 0x20 && c is not '\n' and not '\t') || c is >= '\x7F' and <= '\x9F' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
}
