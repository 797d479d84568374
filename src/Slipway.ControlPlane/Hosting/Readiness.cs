using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Api;

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
    private volatile bool _takingOver;
    private readonly Lock _gate = new();
    private TaskCompletionSource _readied = NewSignal();
    private HandoffSuccessor? _successor;
    private int _writes;
    private TaskCompletionSource? _writesEnded;

    public bool Ready => _ready && !_draining;

    public bool Draining => _draining;

    /// <summary>
    /// What <c>/readyz</c> answers: ready, or a self-deploy candidate that is ready to take over (a follower whose
    /// store reads work), so the old instance can validate it while it still holds the lease.
    /// </summary>
    public bool ReadyForProbe => !_draining && (_ready || (_candidate && _follower));

    /// <summary>This instance was started by a self-deploy and waits for the handoff (docs/self-deploy.md).</summary>
    public void MarkCandidate()
    {
        _candidate = true;
        _takingOver = true;
    }

    /// <summary>
    /// A self-deploy candidate that has not become ready yet: the admin listener may already route to it (between the swap
    /// and the end of its start-up recovery), so a request that needs a ready leader waits for it instead of being refused.
    /// </summary>
    public bool TakingOver => _takingOver && !_draining;

    /// <summary>
    /// Waits, at most <paramref name="bound"/>, until this instance is <see cref="Ready"/>: true when it is. Only a
    /// candidate that is <see cref="TakingOver"/> waits; any other instance answers at once.
    /// </summary>
    public async Task<bool> WaitUntilReadyAsync(TimeSpan bound, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Ready || !TakingOver)
        {
            return Ready;
        }

        Task readied;
        lock (_gate)
        {
            readied = _readied.Task;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var expired = Task.Delay(bound, time, timeout.Token);
        await Task.WhenAny(readied, expired);
        await timeout.CancelAsync();
        return Ready;
    }

    /// <summary>Another instance holds the lease: answer reads, refuse writes with 503 "follower".</summary>
    public bool Follower => _follower;

    public void MarkReady()
    {
        _follower = false;
        _ready = true;
        _takingOver = false;
        lock (_gate)
        {
            // Taken back after a failed handoff, or leading for the first time: writes are served here again.
            _successor = null;
            _readied.TrySetResult();
        }
    }

    /// <summary>
    /// Counts an admin write this instance serves itself, or names the instance it goes to instead: once a self-deploy
    /// hands off (<see cref="HandOffWritesAsync"/>), writes that reach this instance are passed to the successor, so
    /// none is refused while the lease moves (docs/self-deploy.md). Dispose the permit when the write is done.
    /// </summary>
    public (WritePermit? Permit, HandoffSuccessor? Successor) EnterWrite()
    {
        lock (_gate)
        {
            if (_successor is { } successor)
            {
                return (null, successor);
            }

            _writes++;
            return (new WritePermit(this), null);
        }
    }

    /// <summary>
    /// From now on writes go to <paramref name="successor"/>; waits (at most <paramref name="bound"/>) for the writes
    /// this instance is serving to end, so none of them meets the lease gone. False when some were still running.
    /// </summary>
    public async Task<bool> HandOffWritesAsync(HandoffSuccessor successor, TimeSpan bound, TimeProvider time)
    {
        Task ended;
        lock (_gate)
        {
            _successor = successor;
            if (_writes == 0)
            {
                return true;
            }

            _writesEnded ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ended = _writesEnded.Task;
        }

        using var timeout = new CancellationTokenSource();
        var expired = Task.Delay(bound, time, timeout.Token);
        var first = await Task.WhenAny(ended, expired);
        await timeout.CancelAsync();
        return first == ended;
    }

    /// <summary>A handoff that did not get as far as releasing the lease: writes are served here again.</summary>
    public void CancelHandOff()
    {
        lock (_gate)
        {
            _successor = null;
        }
    }

    private void ExitWrite()
    {
        lock (_gate)
        {
            if (--_writes == 0 && _writesEnded is { } ended)
            {
                _writesEnded = null;
                ended.TrySetResult();
            }
        }
    }

    /// <summary>One admin write being served by this instance; a long wait after the write (<c>?wait=true</c>) disposes it early.</summary>
    internal sealed class WritePermit(Readiness owner) : IDisposable
    {
        /// <summary>
        /// The write of this request is done though the request goes on (it waits for the deployment it queued): a
        /// self-deploy's handoff, which waits for running writes, must not wait for it.
        /// </summary>
        public static void EndEarly(HttpContext context) => context.Features.Get<WritePermit>()?.Dispose();

        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.ExitWrite();
            }
        }
    }

    public void MarkFollower()
    {
        _ready = false;
        _follower = true;
        Rearm();
    }

    /// <summary>Leader again (or for the first time), but recovery has not run yet.</summary>
    public void MarkRecovering()
    {
        _ready = false;
        _follower = false;
        CancelHandOff();
        Rearm();
    }

    public void MarkDraining()
    {
        _draining = true;
        lock (_gate)
        {
            // Requests waiting for readiness answer now: a stopping instance does not become ready.
            _readied.TrySetResult();
        }
    }

    private void Rearm()
    {
        lock (_gate)
        {

            if (_readied.Task.IsCompleted)
            {
                _readied = NewSignal();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
