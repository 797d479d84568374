using Slipway.ControlPlane.Spec;

namespace Slipway.ControlPlane.Tests.Spec;

public sealed class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0s", 0)]
    public void TryParse_WithUnits_ReturnsDuration(string text, long expectedMs)
    {
        Assert.True(Duration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), value);
    }

    [Fact]
    public void TryParse_BareNumber_SaysToAddAUnit()
    {
        Assert.False(Duration.TryParse("30", out _, out var error));
        Assert.Contains("no unit", error, StringComparison.Ordinal);
        Assert.Contains("`30s`", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5 minutes", "has spaces")]
    [InlineData("5min", "unknown unit `min`")]
    [InlineData("10d", "unknown unit `d`")]
    [InlineData("s", "not a duration")]
    [InlineData("", "empty")]
    [InlineData("1m30", "missing a unit")]
    public void TryParse_Malformed_ExplainsWhatToWrite(string text, string expected)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(500, "500ms")]
    [InlineData(0, "0s")]
    [InlineData(7_200_000, "2h")]
    public void Format_RoundTrips(long ms, string expected)
    {
        var text = Duration.Format(TimeSpan.FromMilliseconds(ms));

        Assert.Equal(expected, text);
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Duration.Parse(text));
    }
}
