namespace Routines.Tests;

public sealed class RetryPolicyTests
{
    [Fact]
    public void DelayBefore_GrowsExponentiallyFromTheInitialDelay()
    {
        var policy = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), BackoffCoefficient = 2, MaxDelay = TimeSpan.FromMinutes(10) };
        Assert.Equal(
            [1, 2, 4, 8, 16],
            Enumerable.Range(2, 5).Select(attempt => policy.DelayBefore(attempt).TotalSeconds));
    }

    [Fact]
    public void DelayBefore_IsCappedByMaxDelay()
    {
        var policy = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), BackoffCoefficient = 3, MaxDelay = TimeSpan.FromSeconds(20) };
        Assert.Equal(TimeSpan.FromSeconds(9), policy.DelayBefore(4));
        Assert.Equal(TimeSpan.FromSeconds(20), policy.DelayBefore(5));
        Assert.Equal(TimeSpan.FromSeconds(20), policy.DelayBefore(1_000));
        Assert.Equal(TimeSpan.FromSeconds(20), policy.DelayBefore(int.MaxValue));
    }

    [Fact]
    public void DelayBefore_IsNeverNegative_AndTheFirstAttemptsGetTheInitialDelay()
    {
        var policy = new RetryPolicy();
        Assert.Equal(TimeSpan.FromSeconds(1), policy.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(1), policy.DelayBefore(2));
        Assert.Equal(TimeSpan.Zero, (policy with { InitialDelay = TimeSpan.FromSeconds(-5) }).DelayBefore(3));
    }

    [Fact]
    public void MaxDelayOfTimeSpanMaxValue_DoesNotOverflow()
    {
        var policy = new RetryPolicy { BackoffCoefficient = 10, MaxDelay = TimeSpan.MaxValue };
        Assert.Equal(TimeSpan.FromSeconds(100), policy.DelayBefore(4));
        Assert.True(policy.DelayBefore(100) > TimeSpan.FromDays(365));
    }

    [Fact]
    public void Defaults_AreThreeAttemptsFromOneSecondUpToAMinute()
    {
        var policy = new RetryPolicy();
        Assert.Equal(3, policy.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.DelayBefore(3));
        Assert.Equal(TimeSpan.FromMinutes(1), policy.DelayBefore(20));
        Assert.Equal(1, RetryPolicy.None.MaxAttempts);
    }
}
