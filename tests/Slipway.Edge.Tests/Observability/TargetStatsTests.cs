using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Observability;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Observability;

public sealed class TargetStatsTests
{
    [Fact]
    public void Record_StatusesAndTransportErrors_AreCountedApart()
    {
        var stats = new TargetStats();
        stats.Record(200, ForwarderError.None, TimeSpan.FromMilliseconds(3));
        stats.Record(503, ForwarderError.None, TimeSpan.FromMilliseconds(3));
        stats.Record(502, ForwarderError.ConnectFailed, TimeSpan.FromMilliseconds(1));
        stats.Record(404, ForwarderError.None, TimeSpan.FromMilliseconds(1));

        var snapshot = stats.Snapshot();

        Assert.Equal(4, snapshot.Requests);
        Assert.Equal(1, snapshot.Status5xx);
        Assert.Equal(1, snapshot.TransportErrors);
        Assert.Equal(0.5, snapshot.ErrorRate);
    }

    [Fact]
    public void Record_ClientAbortAndEdgeRefusals_AreNotTheTargetsDoing()
    {
        var stats = new TargetStats();
        stats.Record(499, ForwarderError.ClientAborted, TimeSpan.FromSeconds(5));
        stats.Record(413, ForwarderError.RequestBodyTooLarge, TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, stats.Snapshot().Requests);
    }

    [Fact]
    public void Since_TwoSnapshots_GiveTheWindowBetweenThem()
    {
        var stats = new TargetStats();
        for (var i = 0; i < 100; i++)
        {
            stats.Record(200, ForwarderError.None, TimeSpan.FromMilliseconds(1));
        }

        var before = stats.Snapshot();
        for (var i = 0; i < 100; i++)
        {
            stats.Record(i < 10 ? 500 : 200, ForwarderError.None, TimeSpan.FromMilliseconds(100));
        }

        var window = stats.Snapshot().Since(before)!;

        Assert.Equal(100, window.Requests);
        Assert.Equal(10, window.Status5xx);
        Assert.Equal(0.1, window.ErrorRate, 6);
        // Only the window's latencies: all 100 ms, none of the 1 ms before it (a bucket is 25 % wide).
        Assert.InRange(window.P50Ms!.Value, 80, 125);
        Assert.InRange(window.P99Ms!.Value, 80, 125);
    }

    [Fact]
    public void Since_CounterWentDown_IsNullBecauseTheTargetWasRecreated()
    {
        var older = new TargetStatsSnapshot { Requests = 50, LatencyCounts = new long[LatencyBuckets.Count] };
        var newer = new TargetStatsSnapshot { Requests = 3, LatencyCounts = new long[LatencyBuckets.Count] };

        Assert.Null(newer.Since(older));
    }

    [Fact]
    public void Percentile_SlowTail_IsFoundInItsBucket()
    {
        var stats = new TargetStats();
        for (var i = 0; i < 980; i++)
        {
            stats.Record(200, ForwarderError.None, TimeSpan.FromMilliseconds(10));
        }

        for (var i = 0; i < 20; i++)
        {
            stats.Record(200, ForwarderError.None, TimeSpan.FromMilliseconds(900));
        }

        var snapshot = stats.Snapshot();

        Assert.InRange(snapshot.P50Ms!.Value, 8, 12.5);
        Assert.InRange(snapshot.P99Ms!.Value, 720, 1125);
        Assert.Null(new TargetStatsSnapshot().P99Ms);
    }

    [Fact]
    public void IndexOf_EveryLatency_LandsInTheBucketWhoseBoundsHoldIt()
    {
        foreach (var ms in new[] { 0, 0.5, 0.51, 1, 7.3, 99.9, 100, 1234, 59_999, 120_000 })
        {
            var index = LatencyBuckets.IndexOf(ms);
            if (index < LatencyBuckets.BoundsMs.Count)
            {
                Assert.True(ms <= LatencyBuckets.BoundsMs[index], $"{ms} ms above bound {LatencyBuckets.BoundsMs[index]}");
            }

            if (index > 0)
            {
                Assert.True(ms > LatencyBuckets.BoundsMs[index - 1], $"{ms} ms not above the previous bound {LatencyBuckets.BoundsMs[index - 1]}");
            }
        }
    }

    [Fact]
    public async Task EdgeProxy_CanaryAndStable_EachTargetCountsOnlyItsOwnAnswers()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [stable]);
        await edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([stable]) with
        {
            Canary = new CanaryDefinition { Targets = [new TargetDefinition { Id = canary.Id, Url = canary.Url }], Weight = 100 },
        }, CancellationToken.None);

        for (var i = 0; i < 10; i++)
        {
            using var response = await edge.Client.GetAsync(i % 2 == 0 ? "/fail" : "/");
        }

        var status = edge.Registry.Get("app")!;
        var canaryStats = status.Canary.Single().Stats!;
        Assert.Equal(10, canaryStats.Requests);
        Assert.Equal(5, canaryStats.Status5xx);
        Assert.Equal(0, status.Targets.Single().Stats!.Requests);
        Assert.Contains("slipway_edge_target_requests_total{", Collect(edge), StringComparison.Ordinal);
    }

    private static string Collect(EdgeServer edge)
    {
        using var exporter = new PrometheusExporter(EdgeMetrics.MeterName);
        edge.Metrics.ObserveTargets(edge.Registry);
        return exporter.Collect();
    }
}
