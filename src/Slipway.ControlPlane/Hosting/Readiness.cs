namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// Cached probe state: <c>/healthz</c> and <c>/readyz</c> read a few fields, so they answer in constant time
/// whatever the control plane is doing (docs/architecture.md §9.10). Ready means: this instance holds the store's lease and
/// its start-up recovery has run; a follower serves reads but is not ready.
/// </summary>
internal sealed class Readiness
{
    private volatile bool _ready;
    private volatile bool _draining;
    private volatile bool _follower;
    private volatile bool _candidate;

    public bool Ready => _ready && !_draining;

    public bool Draining => _draining;

    /// <summary>
    /// What <c>/readyz</c> answers: ready, or a self-deploy candidate that is ready to take over (a follower whose
    /// store reads work), so the old instance can validate it while it still holds the lease.
    /// </summary>
    public bool ReadyForProbe => !_draining && (_ready || (_candidate && _follower));

    /// <summary>This instance was started by a self-deploy and waits for the handoff (docs/self-deploy.md).</summary>
    public void MarkCandidate() => _candidate = true;

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
