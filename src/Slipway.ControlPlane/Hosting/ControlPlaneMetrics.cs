using System.Diagnostics.Metrics;

namespace Slipway.ControlPlane.Hosting;

/// <summary>The control plane's own instruments, exported as Prometheus text at <c>/metrics</c>.</summary>
internal sealed class ControlPlaneMetrics : IDisposable
{
    public const string MeterName = "Slipway.ControlPlane";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _deployments;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _reconcileTick;

    public ControlPlaneMetrics()
    {
        _deployments = _meter.CreateCounter<long>("slipway_deployments", description: "Deployments that ended, by status");
        _duration = _meter.CreateHistogram<double>("slipway_deployment_duration", unit: "s", description: "Time from start to end of a deployment");
        // A tick is normally well under a millisecond; the default second-scale buckets would hide it.
        _reconcileTick = _meter.CreateHistogram(
            "slipway_reconcile_tick_duration",
            unit: "s",
            description: "Time one pass of the background loop (warm-generation expiry) takes",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
    }

    public void DeploymentEnded(string status, long durationMs)
    {
        var tag = new KeyValuePair<string, object?>("status", status);
        _deployments.Add(1, tag);
        _duration.Record(durationMs / 1000.0, tag);
    }

    public void ReconcileTicked(TimeSpan elapsed) => _reconcileTick.Record(elapsed.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
