namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// Lets a self-deploy hand the store's lease to its candidate: while yielded, the background loop neither renews
/// nor takes the lease. The check and the lease call run under one lock, so a renewal already on its way cannot
/// take the lease back right after the handoff released it.
/// </summary>
internal sealed class LeadershipYield
{
    private readonly Lock _gate = new();
    private bool _yielded;

    public bool Yielded
    {
        get
        {
            lock (_gate)
            {
                return _yielded;
            }
        }
    }

    /// <summary>Runs <paramref name="tryLead"/> unless yielded; false while yielded.</summary>
    public bool TryLead(Func<bool> tryLead)
    {
        lock (_gate)
        {
            return !_yielded && tryLead();
        }
    }

    /// <summary>Stops leading: sets the flag, then runs <paramref name="release"/> (which gives the lease up) under the lock.</summary>
    public void Yield(Action release)
    {
        lock (_gate)
        {
            _yielded = true;
            release();
        }
    }

    /// <summary>Takes the lead back (the handoff failed): runs <paramref name="acquire"/> under the lock; clears the flag when it succeeds.</summary>
    public bool Reclaim(Func<bool> acquire)
    {
        lock (_gate)
        {
            if (acquire())
            {
                _yielded = false;
                return true;
            }

            return false;
        }
    }
}
