using Slipway.Edge.Acme;

namespace Slipway.Edge.Tests.Acme;

public sealed class RenewalScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RenewAt_NinetyDayCertificate_SixtyDaysInMinusUpToThreeDaysOfJitter()
    {
        Assert.Equal(Start.AddDays(60), RenewalSchedule.RenewAt(Start, Start.AddDays(90), 0));
        Assert.Equal(Start.AddDays(57), RenewalSchedule.RenewAt(Start, Start.AddDays(90), 1));
        var middle = RenewalSchedule.RenewAt(Start, Start.AddDays(90), 0.5);
        Assert.True(middle > Start.AddDays(57) && middle < Start.AddDays(60));
    }

    [Fact]
    public void Backoff_DoublesFromOneMinuteUpToSixHours()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), RenewalSchedule.Backoff(1, null));
        Assert.Equal(TimeSpan.FromMinutes(2), RenewalSchedule.Backoff(2, null));
        Assert.Equal(TimeSpan.FromMinutes(8), RenewalSchedule.Backoff(4, null));
        Assert.Equal(TimeSpan.FromHours(6), RenewalSchedule.Backoff(30, null));
    }

    [Fact]
    public void Backoff_RetryAfterLongerThanTheBackoff_Wins()
    {
        Assert.Equal(TimeSpan.FromHours(1), RenewalSchedule.Backoff(1, TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMinutes(8), RenewalSchedule.Backoff(4, TimeSpan.FromSeconds(5)));
    }
}
