using System.Text;

namespace Routines.Ui.Security;

/// <summary>
/// <c>hash-password</c>: reads a password (typed without echo, or one line of standard input) and prints its hash, the
/// value of a user's <c>PasswordHash</c> setting.
/// </summary>
internal static class HashPasswordVerb
{
    public static int Run(string[] args)
    {
        if (args.Length > 0)
        {
            Console.Error.WriteLine("hash-password takes no argument (a password on the command line would stay in the shell's history): "
                                  + "type it when asked, or pipe it in.");
            return 2;
        }

        var password = Console.IsInputRedirected ? Console.In.ReadLine() : Prompt();
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("The password is empty.");
            return 2;
        }

        Console.Out.WriteLine(PasswordHashes.Hash(password));
        return 0;
    }

    static string Prompt()
    {
        Console.Error.Write("Password: ");
        var typed = new StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }

        Console.Error.WriteLine();
        return typed.ToString();
    }
}
