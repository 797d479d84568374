using System.Diagnostics.Metrics;
using Slipway.Edge.Observability;

namespace Slipway.Edge.Tests.Observability;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Collect_Counter_WritesTotalPerLabelSet()
    {
        var name = UniqueMeter();
        using var meter = new Meter(name);
        using var exporter = new PrometheusExporter(name);
        var counter = meter.CreateCounter<long>("slipway.test.requests", description: "Requests.");

        counter.Add(2, new KeyValuePair<string, object?>("service", "web"));
        counter.Add(3, new KeyValuePair<string, object?>("service", "web"));
        counter.Add(1, new KeyValuePair<string, object?>("service", "api\"x"));
        var text = exporter.Collect();

        Assert.Contains("# HELP slipway_test_requests Requests.\n", text);
        Assert.Contains("# TYPE slipway_test_requests counter\n", text);
        Assert.Contains("slipway_test_requests_total{service=\"web\"} 5\n", text);
        Assert.Contains("slipway_test_requests_total{service=\"api\\\"x\"} 1\n", text);
    }

    [Fact]
    public void Collect_UpDownCounterAndObservableGauge_WriteGauges()
    {
        var name = UniqueMeter();
        using var meter = new Meter(name);
        using var exporter = new PrometheusExporter(name);
        var inFlight = meter.CreateUpDownCounter<long>("slipway.test.in_flight");
        meter.CreateObservableGauge("slipway.test.targets", () => 4);

        inFlight.Add(3);
        inFlight.Add(-1);
        var text = exporter.Collect();

        Assert.Contains("# TYPE slipway_test_in_flight gauge\nslipway_test_in_flight 2\n", text);
        Assert.Contains("# TYPE slipway_test_targets gauge\nslipway_test_targets 4\n", text);
    }

    [Fact]
    public void Collect_Histogram_WritesCumulativeBucketsSumAndCount()
    {
        var name = UniqueMeter();
        using var meter = new Meter(name);
        using var exporter = new PrometheusExporter(name);
        var duration = meter.CreateHistogram<double>("slipway.test.duration", unit: "s");

        duration.Record(0.003);
        duration.Record(0.2);
        duration.Record(20);
        var text = exporter.Collect();

        Assert.Contains("# TYPE slipway_test_duration_seconds histogram\n", text);
        Assert.Contains("slipway_test_duration_seconds_bucket{le=\"0.005\"} 1\n", text);
        Assert.Contains("slipway_test_duration_seconds_bucket{le=\"0.25\"} 2\n", text);
        Assert.Contains("slipway_test_duration_seconds_bucket{le=\"10\"} 2\n", text);
        Assert.Contains("slipway_test_duration_seconds_bucket{le=\"+Inf\"} 3\n", text);
        Assert.Contains("slipway_test_duration_seconds_count 3\n", text);
        Assert.Contains("slipway_test_duration_seconds_sum 20.203", text);
    }

    [Fact]
    public void Collect_OtherMeters_AreIgnored()
    {
        var name = UniqueMeter();
        using var other = new Meter(UniqueMeter());
        using var exporter = new PrometheusExporter(name);

        other.CreateCounter<long>("slipway.other").Add(1);

        Assert.DoesNotContain("slipway_other", exporter.Collect());
    }

    private static string UniqueMeter() => "Slipway.Test." + Guid.NewGuid().ToString("N");
}
