using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Slipway.Edge.Observability;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Observability;

public sealed class EdgeMetricsTests
{
    [Fact]
    public async Task RequestFinished_ForwardedAndFailedRequests_AreCountedByServiceStatusAndKind()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a], path: "/app");
        var measurements = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, edge.Metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        await edge.Client.GetStringAsync("/app/x");
        using var missing = await edge.Client.GetAsync("/nowhere");

        Assert.Contains(measurements, m => m.Instrument == "slipway.edge.requests" && Equals(m.Tags["service"], "app") && Equals(m.Tags["status_class"], "2xx"));
        Assert.Contains(measurements, m => m.Instrument == "slipway.edge.errors" && Equals(m.Tags["kind"], "no_route"));
        Assert.Equal(0, measurements.Where(m => m.Instrument == "slipway.edge.requests.in_flight" && Equals(m.Tags["service"], "app")).Sum(m => m.Value));
    }
}
