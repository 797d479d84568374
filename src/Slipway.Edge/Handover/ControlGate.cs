namespace Slipway.Edge.Handover;

/// <summary>
/// Holds the control API's changes still while an upgrade hands the state to the next edge: a freeze waits
/// for the changes in progress to finish, then makes new ones wait. A failed handover thaws (they proceed
/// here); a successful one releases them to be sent again to the next edge.
/// </summary>
internal sealed class ControlGate
{
    private readonly Lock _lock = new();
    private int _inFlight;
    private bool _frozen;
    private TaskCompletionSource _idle = NewSignal();
    private TaskCompletionSource<bool> _release = NewSignal<bool>();

    /// <summary>True: go ahead, then call <see cref="Exit"/>. False: the edge was handed over while this waited.</summary>
    public async Task<bool> EnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<bool> release;
            lock (_lock)
            {
                if (!_frozen)
                {
                    _inFlight++;
                    return true;
                }

                release = _release.Task;
            }

            if (!await release.WaitAsync(cancellationToken))
            {
                return false;
            }
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            _inFlight--;
            if (_inFlight == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    /// <summary>Stops new changes and waits for running ones; false (and thawed again) if they outlast <paramref name="timeout"/>.</summary>
    public async Task<bool> FreezeAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task idle;
        lock (_lock)
        {
            _frozen = true;
            _release = NewSignal<bool>();
            _idle = NewSignal();
            if (_inFlight == 0)
            {
                _idle.TrySetResult();
            }

            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            Thaw();
            return false;
        }
    }

    public void Thaw() => Open(handedOver: false);

    public void HandOver() => Open(handedOver: true);

    private void Open(bool handedOver)
    {
        lock (_lock)
        {
            // After a handover the gate stays shut: this edge no longer owns the state.
            _frozen = handedOver;
            _release.TrySetResult(!handedOver);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource<T> NewSignal<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
