using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Health;
using Slipway.Edge.Observability;

namespace Slipway.Edge.Services;

/// <summary>
/// One backend of a service for its whole life in the edge: from being probed as a candidate, through
/// serving, to draining and retirement. The in-flight count and the retired flag together make sure a
/// request picked from an old snapshot either finishes on this target before it is released, or backs off
/// and is routed again (see <see cref="TryEnter"/>). Its token sources are cancelled, never disposed,
/// because requests may still link to them while the target leaves.
/// </summary>
internal sealed class Target
{
    private readonly CancellationTokenSource _streams = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _healthy = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _retired;

    /// <param name="firstHealthyPasses">Passes needed to become healthy the first time; null: the service's threshold.</param>
    public Target(string id, Uri baseUri, int? firstHealthyPasses = null)
    {
        Id = id;
        BaseUri = baseUri;
        BaseAddress = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        Health = new HealthTracker(firstHealthyPasses);
    }

    public string Id { get; }

    public Uri BaseUri { get; }

    /// <summary>Scheme, authority and base path without a trailing slash; the request target is appended.</summary>
    public string BaseAddress { get; }

    public HealthTracker Health { get; }

    /// <summary>Requests, errors and latencies of the forwards to this target (canary analysis, metrics).</summary>
    public TargetStats Stats { get; } = new();

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool IsRetired => Volatile.Read(ref _retired) == 1;

    /// <summary>Cancelled at the drain deadline: long-lived streams on this target end then.</summary>
    public CancellationToken StreamsToken => _streams.Token;

    /// <summary>Cancelled when the target leaves the edge: stops its health probes.</summary>
    public CancellationToken LifetimeToken => _lifetime.Token;

    /// <summary>Completes the first time the target becomes healthy.</summary>
    public Task BecameHealthy => _healthy.Task;

    /// <summary>Completes once the target is retired and its last request has finished.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Raised when the health state changes (from the probe loop or the forwarder).</summary>
    public event Action<Target>? HealthChanged;

    public TargetDefinition ToDefinition() => new() { Id = Id, Url = BaseUri.ToString().TrimEnd('/') };

    /// <summary>
    /// Counts a request in before it leaves the routing step. False when the target was retired meanwhile;
    /// the caller then routes again from a fresh snapshot, which no longer holds this target.
    /// </summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _retired) == 1)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) == 1)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>No new requests from now on; requests already counted in finish.</summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }
    }

    public void CloseStreams() => _streams.Cancel();

    public void RecordProbe(ProbeResult result, HealthCheckDefinition health)
    {
        if (Health.RecordProbe(result, health))
        {
            OnHealthChanged();
        }
    }

    public void RecordPassiveFailure(HealthCheckDefinition health)
    {
        if (Health.RecordPassiveFailure(health))
        {
            OnHealthChanged();
        }
    }

    public void StopProbing() => _lifetime.Cancel();

    public TargetStatus ToStatus() => new()
    {
        Id = Id,
        Url = BaseUri.ToString().TrimEnd('/'),
        Health = Health.State,
        InFlight = InFlight,
        LastProbe = Health.LastProbe,
        Stats = Stats.Snapshot(),
    };

    private void OnHealthChanged()
    {
        if (Health.State == TargetHealth.Healthy)
        {
            _healthy.TrySetResult();
        }

        HealthChanged?.Invoke(this);
    }
}
