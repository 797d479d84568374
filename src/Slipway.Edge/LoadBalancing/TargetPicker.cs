using Slipway.Edge.Services;

namespace Slipway.Edge.LoadBalancing;

/// <summary>Picks one target out of the healthy candidates by the service's policy.</summary>
internal static class TargetPicker
{
    public static LoadBalancingPolicy Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "round-robin" or "roundrobin" => LoadBalancingPolicy.RoundRobin,
        "least-in-flight" or "leastinflight" or "least-requests" => LoadBalancingPolicy.LeastInFlight,
        _ => throw Services.ServiceValidation.Invalid(
            $"loadBalancing '{value}' is not supported; use 'round-robin' or 'least-in-flight'.", "loadBalancing"),
    };

    public static bool IsValid(string? value)
    {
        try
        {
            Parse(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <param name="counter">The service's round-robin counter, advanced atomically.</param>
    public static Target? Pick(IReadOnlyList<Target> candidates, LoadBalancingPolicy policy, ref int counter)
    {
        if (candidates.Count == 0)
        {
            return null;
        }

        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        if (policy == LoadBalancingPolicy.LeastInFlight)
        {
            // Ties go round-robin so an idle service still spreads load.
            var start = (int)((uint)Interlocked.Increment(ref counter) % (uint)candidates.Count);
            Target? best = null;
            for (var i = 0; i < candidates.Count; i++)
            {
                var candidate = candidates[(start + i) % candidates.Count];
                if (best is null || candidate.InFlight < best.InFlight)
                {
                    best = candidate;
                }
            }

            return best;
        }

        var index = (uint)Interlocked.Increment(ref counter) % (uint)candidates.Count;
        return candidates[(int)index];
    }
}
