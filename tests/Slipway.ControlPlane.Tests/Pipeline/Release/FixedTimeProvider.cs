namespace Slipway.ControlPlane.Tests.Pipeline.Release;

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
