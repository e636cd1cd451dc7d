using System.Diagnostics;
using Routines.Ui.Security;
using static Routines.Ui.Tests.Security.ConsoleSecurityTests;

namespace Routines.Ui.Tests.Security;

/// <summary>Sign-in throttling on a console of its own (its locks would refuse the other tests' sign-ins).</summary>
public sealed class SignInThrottleTests(ConsoleSecurityTests.Console console) : IClassFixture<ConsoleSecurityTests.Console>
{
    /// <summary>One test, in phases: each phase starts from the failures the one before left on the test's address.</summary>
    [Fact]
    public async Task WrongPasswords_SlowDown_ThenLockTheUser_ThenTheAddress_EvenForTheRightPassword_UntilTheLocksEnd()
    {
        // A user: two free failures, then slower answers, then locked after four (limits set by the fixture).
        using var browser = new Browser(console.Https);
        var took = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var one = Stopwatch.StartNew();
            Assert.StartsWith("/login?failed=1", await browser.SignInAsync("alice", "wrong"));
            took.Add(one.Elapsed);
        }

        // Two free failures, then answers held 0.25 s and 0.5 s: a floor the answer cannot beat, whatever the machine's load.
        Assert.True(took[2] >= TimeSpan.FromMilliseconds(240) && took[3] >= TimeSpan.FromMilliseconds(490), $"the answers took {string.Join(", ", took)}");

        var locked = await browser.SignInAsync("alice", Password);
        Assert.StartsWith("/login?lockedUntil=", locked);
        Assert.Contains("Too many failed sign-ins", await (await browser.GetAsync(locked)).Content.ReadAsStringAsync());
        await console.Process.WaitForOutputAsync("Sign-in locked for user 'alice' after 4 failed attempts");
        using (var other = new Browser(console.Https)) Assert.Equal("/runs", await other.SignInAsync("bob", Password)); // alice's lock only

        await console.Process.WaitForOutputAsync("Sign-in lock for user 'alice' ended", ConsoleSecurityTests.Console.LockDuration * 3);
        Assert.Equal("/runs", await browser.SignInAsync("alice", Password));

        // Twelve guesses at once for one user: at most its four allowed failures reach the password check.
        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var guesser = new Browser(console.Https);
            return await guesser.SignInAsync("carol", "wrong");
        }));
        Assert.InRange(burst.Count(t => t.StartsWith("/login?failed=1", StringComparison.Ordinal)), 1, 4);
        Assert.Contains(burst, t => t.StartsWith("/login?lockedUntil=", StringComparison.Ordinal));

        // Names nobody has, three failures each (under the user limit): the address reaches its own limit of 9.
        string? addressLocked = null;
        for (var i = 0; i < 12 && addressLocked is null; i++)
        {
            var target = await browser.SignInAsync($"nobody{i / 3}", "wrong");
            if (target.StartsWith("/login?lockedUntil=", StringComparison.Ordinal)) addressLocked = target;
        }

        Assert.NotNull(addressLocked);
        Assert.StartsWith("/login?lockedUntil=", await browser.SignInAsync("dave", Password)); // locked for every user from there
        await console.Process.WaitForOutputAsync("Sign-in locked for address");
        await console.Process.WaitForOutputAsync("Sign-in lock for address", ConsoleSecurityTests.Console.LockDuration * 3);
        Assert.Equal("/runs", await browser.SignInAsync("dave", Password));
    }
}
