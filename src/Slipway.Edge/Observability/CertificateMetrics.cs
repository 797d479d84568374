using System.Diagnostics.Metrics;
using Slipway.Edge.Acme;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Observability;

/// <summary>Certificate gauges on the <c>Slipway.Edge</c> meter, observed at scrape time: days to expiry and ACME failures in a row.</summary>
internal sealed class CertificateMetrics : IDisposable
{
    private readonly Meter _meter = new(EdgeMetrics.MeterName);

    public CertificateMetrics(CertificateStore store, Func<IReadOnlyList<AcmeHostStatus>> acme, TimeProvider time)
    {
        _meter.CreateObservableGauge(
            "slipway.edge.certificate.days_left",
            () => store.Current.All.Select(c => new Measurement<double>(
                Math.Round((c.NotAfter - time.GetUtcNow()).TotalDays, 3), new KeyValuePair<string, object?>("host", c.Host))),
            "d",
            "Days until the served certificate of the host expires (negative once it has).");
        _meter.CreateObservableGauge(
            "slipway.edge.certificate.acme_failures",
            () => acme().Select(s => new Measurement<int>(s.Failures, new KeyValuePair<string, object?>("host", s.Host))),
            "{failure}",
            "ACME attempts for the host that failed since its last success.");
    }

    public void Dispose() => _meter.Dispose();
}
