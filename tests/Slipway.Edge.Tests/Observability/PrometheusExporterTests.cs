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
    public void Collect_SameTagsInAnotherOrderOrWithFourTags_OneSeriesPerLabelSet()
    {
        var name = UniqueMeter();
        using var meter = new Meter(name);
        using var exporter = new PrometheusExporter(name);
        var counter = meter.CreateCounter<long>("slipway.test.hits");
        KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

        counter.Add(1, Tag("service", "web"), Tag("status_class", "2xx"));
        counter.Add(2, Tag("status_class", "2xx"), Tag("service", "web"));
        counter.Add(4, Tag("service", "web"), Tag("status_class", "5xx"));
        counter.Add(8, Tag("a", 1), Tag("b", 2), Tag("c", 3), Tag("d", 4));
        counter.Add(16, Tag("d", 4), Tag("c", 3), Tag("b", 2), Tag("a", 1));
        var text = exporter.Collect();

        Assert.Contains("slipway_test_hits_total{service=\"web\",status_class=\"2xx\"} 3\n", text);
        Assert.Contains("slipway_test_hits_total{service=\"web\",status_class=\"5xx\"} 4\n", text);
        Assert.Contains("slipway_test_hits_total{a=\"1\",b=\"2\",c=\"3\",d=\"4\"} 24\n", text);
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
