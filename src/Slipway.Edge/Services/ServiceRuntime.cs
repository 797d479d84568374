using Slipway.Edge.Routing;

namespace Slipway.Edge.Services;

/// <summary>
/// The live state of one service: its current snapshot (swapped whole by writers), the deploy lock that
/// serialises target changes, and the signal that wakes requests held while paused or without a healthy target.
/// </summary>
internal sealed class ServiceRuntime
{
    // One delegate for every pick, not a new one per request.
    private static readonly Func<int, int> Roll = Random.Shared.Next;

    private readonly Lock _writeLock = new();
    private ServiceSnapshot _snapshot;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _counter;
    private int _held;

    public ServiceRuntime(ServiceSnapshot snapshot)
    {
        _snapshot = snapshot;
    }

    public string Name => Snapshot.Name;

    public ServiceSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Serialises set-targets and delete on this service.</summary>
    public SemaphoreSlim DeployLock { get; } = new(1, 1);

    public int Held => Volatile.Read(ref _held);

    /// <summary>Applies a change to the snapshot and wakes held requests.</summary>
    public ServiceSnapshot Update(Func<ServiceSnapshot, ServiceSnapshot> change)
    {
        ServiceSnapshot next;
        lock (_writeLock)
        {
            next = change(_snapshot);
            Volatile.Write(ref _snapshot, next);
        }

        Signal();
        return next;
    }

    /// <summary>Wakes every held request so it looks at the service again.</summary>
    public void Signal() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Picks a target and counts the request in on it. Null when no healthy target is routable.
    /// </summary>
    public TargetLease? TryAcquire(Func<string, string?> cookie, Target? exclude)
    {
        // A target retired between the pick and the count-in makes TryEnter fail; the next round reads the
        // snapshot that replaced it. A few rounds cover back-to-back swaps.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var selection = TargetSelector.Select(Snapshot, cookie, exclude, ref _counter, Roll);
            if (selection.Target is null)
            {
                return null;
            }

            if (selection.Target.TryEnter())
            {
                return new TargetLease(selection.Target, selection.Cookies);
            }
        }

        return null;
    }

    /// <summary>
    /// Enters the bounded queue of held requests. False when the queue is full; the caller answers 503.
    /// </summary>
    public bool TryHold(int limit)
    {
        if (Interlocked.Increment(ref _held) > limit)
        {
            Interlocked.Decrement(ref _held);
            return false;
        }

        return true;
    }

    public void Unhold() => Interlocked.Decrement(ref _held);

    /// <summary>Completes at the next change of the service (snapshot swap or target health change).</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;
}
