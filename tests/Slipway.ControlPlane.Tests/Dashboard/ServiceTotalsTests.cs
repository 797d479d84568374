using Slipway.ControlPlane.Dashboard.EdgeCharts;

namespace Slipway.ControlPlane.Tests.Dashboard;

public sealed class ServiceTotalsTests
{
    private const string Page = """
        # HELP slipway_edge_requests Requests answered by the edge, by service and status class.
        # TYPE slipway_edge_requests counter
        slipway_edge_requests_total{service="web.prod",status_class="2xx"} 90
        slipway_edge_requests_total{service="web.prod",status_class="5xx"} 10
        slipway_edge_requests_total{service="api.prod",status_class="2xx"} 4
        # TYPE slipway_edge_request_duration_seconds histogram
        slipway_edge_request_duration_seconds_bucket{service="web.prod",status_class="2xx",le="0.01"} 50
        slipway_edge_request_duration_seconds_bucket{service="web.prod",status_class="2xx",le="0.1"} 90
        slipway_edge_request_duration_seconds_bucket{service="web.prod",status_class="2xx",le="+Inf"} 90
        slipway_edge_request_duration_seconds_bucket{service="web.prod",status_class="5xx",le="0.01"} 0
        slipway_edge_request_duration_seconds_bucket{service="web.prod",status_class="5xx",le="0.1"} 0
        slipway_edge_request_duration_seconds_bucket{service="web.prod",status_class="5xx",le="+Inf"} 10
        slipway_edge_request_duration_seconds_sum{service="web.prod",status_class="2xx"} 3.2
        """;

    [Fact]
    public void From_EdgeMetricsPage_SumsStatusClassesPerService()
    {
        var totals = ServiceTotals.From(Page);

        Assert.Equal((100, 10), (totals["web.prod"].Requests, totals["web.prod"].ServerErrors));
        Assert.Equal((4, 0), (totals["api.prod"].Requests, totals["api.prod"].ServerErrors));
        Assert.Equal([(0.01, 50), (0.1, 90), (double.PositiveInfinity, 100)], totals["web.prod"].Buckets);
    }

    [Fact]
    public void QuantileSince_InterpolatesInsideTheBucket_LikeHistogramQuantile()
    {
        var now = ServiceTotals.From(Page)["web.prod"];
        var empty = new ServiceTotals(0, 0, []);

        // Rank 50 of 100 falls at the top of the first bucket; rank 70 halfway into the second (0.01..0.1).
        Assert.Equal(0.01, now.QuantileSince(empty, 0.5)!.Value, 6);
        Assert.Equal(0.055, now.QuantileSince(empty, 0.7)!.Value, 6);
        // The slowest 10 % are beyond the largest finite bound: that bound is all that is known.
        Assert.Equal(0.1, now.P99Since(empty)!.Value, 6);
    }

    [Fact]
    public void P99Since_OnlyCountsRequestsSinceTheEarlierSample_AndIsNullWithoutAny()
    {
        var before = new ServiceTotals(50, 10, [(0.01, 40), (0.1, 40), (double.PositiveInfinity, 50)]);
        var now = ServiceTotals.From(Page)["web.prod"];

        // Since then: 10 in the first bucket, 40 in the second, none slower: p99 is near the top of the second.
        Assert.InRange(now.P99Since(before)!.Value, 0.09, 0.1);
        Assert.Null(now.P99Since(now));
    }
}
