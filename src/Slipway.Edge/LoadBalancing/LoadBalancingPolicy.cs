namespace Slipway.Edge.LoadBalancing;

internal enum LoadBalancingPolicy
{
    RoundRobin,
    LeastInFlight,
}
