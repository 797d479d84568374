using System.Diagnostics.Metrics;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Observability;

/// <summary>Supervised-process gauges on the <c>Slipway.Edge</c> meter, observed at scrape time.</summary>
internal sealed class SupervisorMetrics : IDisposable
{
    private readonly Meter _meter = new(EdgeMetrics.MeterName);

    public SupervisorMetrics(ProcessSupervisor supervisor)
    {
        _meter.CreateObservableGauge(
            "slipway.edge.process.up",
            () => supervisor.List().Select(p => new Measurement<int>(
                p.State == ProcessState.Running ? 1 : 0, new KeyValuePair<string, object?>("process", p.Id))),
            "{process}",
            "1 while the supervised process is running, else 0.");
        _meter.CreateObservableCounter(
            "slipway.edge.process.restarts",
            () => supervisor.List().Select(p => new Measurement<int>(
                p.Restarts, new KeyValuePair<string, object?>("process", p.Id))),
            "{restart}",
            "Restarts of the supervised process after unexpected exits.");
    }

    public void Dispose() => _meter.Dispose();
}
