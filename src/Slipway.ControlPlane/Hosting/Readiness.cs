namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// Cached probe state: <c>/healthz</c> and <c>/readyz</c> read a few fields, so they answer in constant time
/// whatever the control plane is doing (invariant 10). Ready means: this instance holds the store's lease and
/// its start-up recovery has run; a follower serves reads but is not ready.
/// </summary>
internal sealed class Readiness
{
    private volatile bool _ready;
    private volatile bool _draining;
    private volatile bool _follower;

    public bool Ready => _ready && !_draining;

    public bool Draining => _draining;

    /// <summary>Another instance holds the lease: answer reads, refuse writes with 503 "follower".</summary>
    public bool Follower => _follower;

    public void MarkReady()
    {
        _follower = false;
        _ready = true;
    }

    public void MarkFollower()
    {
        _ready = false;
        _follower = true;
    }

    /// <summary>Leader again (or for the first time), but recovery has not run yet.</summary>
    public void MarkRecovering()
    {
        _ready = false;
        _follower = false;
    }

    public void MarkDraining() => _draining = true;
}
