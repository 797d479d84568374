using Microsoft.Extensions.Logging.Abstractions;
using Slipway.ControlPlane.Dashboard.EdgeCharts;
using Slipway.ControlPlane.Tests.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Tests.Dashboard;

public sealed class EdgeSamplerTests
{
    [Fact]
    public async Task SampleOnce_TwoSamples_RateAndErrorRateOverTheInterval_AndAnEdgeThatStopsAnsweringKeepsTheSeries()
    {
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var requests = 0;
        var errors = 0;
        var reachable = true;
        IReadOnlyList<ServiceStatus> services = [new ServiceStatus { Name = "web.prod" }];
        var sampler = new EdgeSampler(
            _ => reachable ? Task.FromResult(services) : throw new HttpRequestException("connection refused"),
            _ => Task.FromResult($"slipway_edge_requests_total{{service=\"web.prod\",status_class=\"2xx\"}} {requests - errors}\nslipway_edge_requests_total{{service=\"web.prod\",status_class=\"5xx\"}} {errors}\n"),
            time, NullLogger<EdgeSampler>.Instance);

        await sampler.SampleOnceAsync(CancellationToken.None);
        Assert.Equal(0, sampler.Snapshot.Series["web.prod"].Count);

        requests = 50;
        errors = 5;
        time.Advance(TimeSpan.FromSeconds(5));
        await sampler.SampleOnceAsync(CancellationToken.None);
        var point = Assert.Single(sampler.Snapshot.Series["web.prod"].ToList());
        Assert.Equal(10, point.RequestsPerSecond, 6);
        Assert.Equal(0.1, point.ErrorRate!.Value, 6);

        reachable = false;
        await sampler.SampleOnceAsync(CancellationToken.None);
        Assert.Contains("connection refused", sampler.Snapshot.Error);
        Assert.Single(sampler.Snapshot.Series["web.prod"].ToList());
    }
}
