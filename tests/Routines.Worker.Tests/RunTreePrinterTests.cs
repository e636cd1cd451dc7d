using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Rendering;
using Spectre.Console;

namespace Routines.Worker.Tests;

public sealed class RunTreePrinterTests
{
    [Theory]
    [InlineData("0123456789abcdef", "[grey]…abcdef[/]")]
    [InlineData("0123456789abcdef.ad65bzak4772", "[grey]…abcdef[/].ad65")]
    [InlineData("0123456789abcdef.c56q26bac3c7.w7d5ccd5s5d5-3", "[grey]…abcdef[/].c56q.w7d5#3")]
    public void Short_KeepsTheRootsTailAndEachCallsHashHead(string runId, string shown)
        => Assert.Equal(shown, RunTreePrinter.Short(runId));

    [Theory]
    [InlineData("plain text, with a tab\tand\na line break", "plain text, with a tab\tand\na line break")]
    [InlineData("\u001b[31mred\u001b[0m", @"\x1B[31mred\x1B[0m")]
    [InlineData("bell\u0007 back\b cr\r del\u007f csi\u009b", @"bell\x07 back\x08 cr\x0D del\x7F csi\x9B")]
    [InlineData("abc\u202edcba\u2066", @"abc\u202Edcba\u2066")]
    public void TerminalText_ShowsControlCharactersAndEscapesInsteadOfSendingThem(string written, string shown)
        => Assert.Equal(shown, TerminalText.Visible(written));

    [Fact]
    public void TheRunTreePrinter_PrintsALogLineWithItsEscapesVisible()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        new RunTreePrinter(console).Log(new RunLogLine("r1", 1, DateTimeOffset.UnixEpoch, LogLevel.Information, "a\u001b[2Jb [x]", Attempt: 1));

        Assert.Contains(@"a\x1B[2Jb [x]", output.ToString());
        Assert.DoesNotContain("\u001b", output.ToString(), StringComparison.Ordinal);
    }
}
