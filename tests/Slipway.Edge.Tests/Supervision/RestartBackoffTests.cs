using Slipway.Edge.Supervision;

namespace Slipway.Edge.Tests.Supervision;

public sealed class RestartBackoffTests
{
    [Fact]
    public void Next_RepeatedQuickCrashes_DoublesFromOneSecondUpToThirty()
    {
        TimeSpan? backoff = null;
        var seen = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            backoff = RestartBackoff.Next(backoff, TimeSpan.FromSeconds(1));
            seen.Add(backoff.Value.TotalSeconds);
        }

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], seen);
    }

    [Fact]
    public void Next_AfterAStableRun_StartsOverAtOneSecond()
    {
        var backoff = RestartBackoff.Next(TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(61));

        Assert.Equal(TimeSpan.FromSeconds(1), backoff);
    }
}
