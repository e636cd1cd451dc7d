using System.Security.Claims;

namespace Routines.Ui.Security;

/// <summary>What a console user may do; each role may also do what the ones before it may.</summary>
public enum ConsoleRole
{
    /// <summary>Sees runs, logs, workers and the catalog.</summary>
    Viewer,

    /// <summary>Also launches, cancels and retries runs.</summary>
    Operator,

    /// <summary>Also sees who may log in.</summary>
    Admin,
}

/// <summary>The authorization policies of the console's pages and actions, and the check its data layer makes.</summary>
internal static class ConsolePolicies
{
    /// <summary>Launch, cancel and retry runs: operators and admins.</summary>
    public const string Operate = "operate";

    /// <summary>Administration pages: admins.</summary>
    public const string Administer = "administer";

    public static bool Allows(ClaimsPrincipal user, ConsoleRole needed)
        => Enum.GetValues<ConsoleRole>().Where(r => r >= needed).Any(r => user.IsInRole(r.ToString()));

    /// <summary>Throws, naming the user's role and the one needed, unless <paramref name="user"/> has <paramref name="needed"/>.</summary>
    public static void Demand(ClaimsPrincipal user, ConsoleRole needed, string action)
    {
        if (Allows(user, needed)) return;
        var role = Enum.GetValues<ConsoleRole>().LastOrDefault(r => user.IsInRole(r.ToString()));
        throw new UnauthorizedAccessException(
            $"{user.Identity?.Name ?? "This user"} is a {role.ToString().ToLowerInvariant()}: {action} needs the {needed.ToString().ToLowerInvariant()} role.");
    }
}
