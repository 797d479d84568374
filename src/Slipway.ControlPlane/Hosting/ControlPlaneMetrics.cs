using System.Diagnostics.Metrics;

namespace Slipway.ControlPlane.Hosting;

/// <summary>The control plane's own instruments, exported as Prometheus text at <c>/metrics</c>.</summary>
internal sealed class ControlPlaneMetrics : IDisposable
{
    public const string MeterName = "Slipway.ControlPlane";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _deployments;
    private readonly Histogram<double> _duration;

    public ControlPlaneMetrics()
    {
        _deployments = _meter.CreateCounter<long>("slipway_deployments", description: "Deployments that ended, by status");
        _duration = _meter.CreateHistogram<double>("slipway_deployment_duration", unit: "s", description: "Time from start to end of a deployment");
    }

    public void DeploymentEnded(string status, long durationMs)
    {
        var tag = new KeyValuePair<string, object?>("status", status);
        _deployments.Add(1, tag);
        _duration.Record(durationMs / 1000.0, tag);
    }

    public void Dispose() => _meter.Dispose();
}
