using System.Collections.Immutable;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Health;
using Slipway.Edge.LoadBalancing;
using Slipway.Edge.Services;

namespace Slipway.Edge.Routing;

/// <summary>
/// Chooses the target for one request from a service snapshot: canary side first (sticky cookie, else the
/// weight), then the affinity cookie, then the load-balancing policy. Pure apart from the counter and the
/// random source, so it is unit-tested without a server.
/// </summary>
internal static class TargetSelector
{
    public const string CanaryValue = "canary";
    public const string StableValue = "stable";

    /// <param name="cookie">Reads a request cookie by name (null when absent).</param>
    public static TargetSelection Select(
        ServiceSnapshot snapshot,
        Func<string, string?> cookie,
        Target? exclude,
        ref int counter,
        Func<int, int> random)
    {
        if (snapshot.Canary.IsEmpty && string.IsNullOrEmpty(snapshot.Definition.AffinityCookie)
            && TryPickDirect(snapshot, exclude, ref counter) is { } direct)
        {
            return new TargetSelection(direct, [], false);
        }

        var cookies = ImmutableArray.CreateBuilder<ResponseCookie>();
        var useCanary = false;
        if (!snapshot.Canary.IsEmpty)
        {
            var side = cookie(snapshot.CanaryCookie);
            useCanary = side switch
            {
                CanaryValue => true,
                StableValue => false,
                _ => random(100) < snapshot.CanaryWeight,
            };
            if (useCanary && !HasHealthy(snapshot.Canary, exclude))
            {
                useCanary = false;
            }

            var value = useCanary ? CanaryValue : StableValue;
            if (side != value)
            {
                cookies.Add(new ResponseCookie(snapshot.CanaryCookie, value));
            }
        }

        var pool = Healthy(useCanary ? snapshot.Canary : snapshot.Active, exclude);
        if (pool.Count == 0)
        {
            return TargetSelection.None;
        }

        var affinity = snapshot.Definition.AffinityCookie;
        if (!string.IsNullOrEmpty(affinity))
        {
            var wanted = cookie(affinity);
            if (wanted is not null)
            {
                var id = Uri.UnescapeDataString(wanted);
                var sticky = pool.FirstOrDefault(t => t.Id == id);
                if (sticky is not null)
                {
                    return new TargetSelection(sticky, cookies.ToImmutable(), useCanary);
                }
            }

            var picked = TargetPicker.Pick(pool, snapshot.Policy, ref counter)!;
            cookies.Add(new ResponseCookie(affinity, Uri.EscapeDataString(picked.Id)));
            return new TargetSelection(picked, cookies.ToImmutable(), useCanary);
        }

        return new TargetSelection(TargetPicker.Pick(pool, snapshot.Policy, ref counter), cookies.ToImmutable(), useCanary);
    }

    /// <summary>
    /// The common case without a per-request list: no cookies to honour and every active target usable.
    /// Picks exactly what the general path would pick from the same targets.
    /// </summary>
    private static Target? TryPickDirect(ServiceSnapshot snapshot, Target? exclude, ref int counter)
    {
        var active = snapshot.Active;
        if (active.IsEmpty || (active.Length > 1 && snapshot.Policy != LoadBalancingPolicy.RoundRobin))
        {
            return null;
        }

        foreach (var target in active)
        {
            if (!IsUsable(target, exclude))
            {
                return null;
            }
        }

        if (active.Length == 1)
        {
            return active[0];
        }

        var index = (uint)Interlocked.Increment(ref counter) % (uint)active.Length;
        return active[(int)index];
    }

    private static bool HasHealthy(ImmutableArray<Target> targets, Target? exclude)
    {
        foreach (var target in targets)
        {
            if (IsUsable(target, exclude))
            {
                return true;
            }
        }

        return false;
    }

    private static List<Target> Healthy(ImmutableArray<Target> targets, Target? exclude)
    {
        var list = new List<Target>(targets.Length);
        foreach (var target in targets)
        {
            if (IsUsable(target, exclude))
            {
                list.Add(target);
            }
        }

        return list;
    }

    private static bool IsUsable(Target target, Target? exclude) =>
        target != exclude && !target.IsRetired && target.Health.State == TargetHealth.Healthy;
}
