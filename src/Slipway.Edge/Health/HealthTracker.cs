using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Health;

/// <summary>
/// Consecutive pass/fail counting for one target. Active probes bring passes and failures; the forwarder
/// brings passive failures. Thresholds come from the service definition at the time of each result so an
/// update of the definition applies to the next result.
/// </summary>
internal sealed class HealthTracker(int? firstHealthyPasses = null)
{
    private readonly Lock _lock = new();
    private int _state = (int)TargetHealth.Unknown;
    private int _passes;
    private int _failures;
    private ProbeResult? _lastProbe;

    public TargetHealth State => (TargetHealth)Volatile.Read(ref _state);

    public bool HasBeenHealthy { get; private set; }

    public ProbeResult? LastProbe
    {
        get
        {
            lock (_lock)
            {
                return _lastProbe;
            }
        }
    }

    /// <summary>Records an active probe result; true when the state changed.</summary>
    public bool RecordProbe(ProbeResult result, HealthCheckDefinition health)
    {
        lock (_lock)
        {
            _lastProbe = result;
            return result.Ok ? Pass(health) : Fail(health);
        }
    }

    /// <summary>Records a transport failure seen while forwarding; true when the state changed.</summary>
    public bool RecordPassiveFailure(HealthCheckDefinition health)
    {
        lock (_lock)
        {
            return Fail(health);
        }
    }

    private bool Pass(HealthCheckDefinition health)
    {
        _failures = 0;
        _passes++;
        // Until the first time healthy, a caller-given count (a candidate the control plane already validated)
        // may replace the service's threshold; afterwards recovery from unhealthy uses the threshold.
        var needed = !HasBeenHealthy && firstHealthyPasses is { } first ? first : health.HealthyThreshold;
        if (_state != (int)TargetHealth.Healthy && _passes >= Math.Max(1, needed))
        {
            Volatile.Write(ref _state, (int)TargetHealth.Healthy);
            HasBeenHealthy = true;
            return true;
        }

        return false;
    }

    private bool Fail(HealthCheckDefinition health)
    {
        _passes = 0;
        _failures++;
        if (_state != (int)TargetHealth.Unhealthy && _failures >= Math.Max(1, health.UnhealthyThreshold))
        {
            Volatile.Write(ref _state, (int)TargetHealth.Unhealthy);
            return true;
        }

        return false;
    }
}
