namespace Slipway.Edge.Health;

internal enum TargetHealthState
{
    Unknown,
    Healthy,
    Unhealthy,
}
