using Slipway.ControlPlane.Processes;

namespace Slipway.ControlPlane.Tests.Processes;

public sealed class DurationsTests
{
    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(4_200, "4.2s")]
    [InlineData(60_000, "1m")]
    [InlineData(600_000, "10m")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(90_000, "1m30s")]
    public void Format_Duration_IsShortAndReadable(int milliseconds, string expected)
    {
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
