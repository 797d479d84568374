using System.Collections.Concurrent;

namespace Slipway.ControlPlane.Deployments;

/// <summary>
/// One lock per (app, env), held by a deployment for its whole run and by the reconciler for one pass over
/// that app. Without it the reconciler could read the pointers just before an activation, see the edge
/// routing the new generation just after, and "repair" the route back to the old one.
/// </summary>
internal sealed class AppLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> EnterAsync(string app, string env, CancellationToken cancellationToken)
    {
        var gate = Gate(app, env);
        await gate.WaitAsync(cancellationToken);
        return new Held(gate);
    }

    /// <summary>Null when a deployment of (app, env) is running: the reconciler leaves it alone this pass.</summary>
    public IDisposable? TryEnter(string app, string env)
    {
        var gate = Gate(app, env);
        return gate.Wait(0) ? new Held(gate) : null;
    }

    private SemaphoreSlim Gate(string app, string env) => _locks.GetOrAdd($"{app}/{env}", _ => new SemaphoreSlim(1, 1));

    private sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
