using System.Globalization;

namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>
/// One service's cumulative request counters at one moment, read from the edge's metrics: answered requests,
/// 5xx answers, and the request-duration histogram (upper bound in seconds → cumulative count).
/// </summary>
internal sealed record ServiceTotals(double Requests, double ServerErrors, IReadOnlyList<(double UpperBound, double Count)> Buckets)
{
    public const string RequestsMetric = "slipway_edge_requests_total";
    public const string DurationBucketMetric = "slipway_edge_request_duration_seconds_bucket";

    /// <summary>Totals per service in a metrics page.</summary>
    public static IReadOnlyDictionary<string, ServiceTotals> From(string metricsText)
    {
        var requests = new Dictionary<string, (double All, double Errors)>(StringComparer.Ordinal);
        var buckets = new Dictionary<string, SortedDictionary<double, double>>(StringComparer.Ordinal);
        foreach (var line in PrometheusText.Parse(metricsText))
        {
            if (!line.Labels.TryGetValue("service", out var service))
            {
                continue;
            }

            if (line.Name == RequestsMetric)
            {
                var (all, errors) = requests.GetValueOrDefault(service);
                var error = line.Labels.TryGetValue("status_class", out var statusClass) && statusClass == "5xx";
                requests[service] = (all + line.Value, errors + (error ? line.Value : 0));
            }
            else if (line.Name == DurationBucketMetric && line.Labels.TryGetValue("le", out var le))
            {
                var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (!buckets.TryGetValue(service, out var perBound))
                {
                    buckets[service] = perBound = [];
                }

                // The histogram is split by status class; the service's is their sum.
                perBound[bound] = perBound.GetValueOrDefault(bound) + line.Value;
            }
        }

        var result = new Dictionary<string, ServiceTotals>(StringComparer.Ordinal);
        foreach (var service in requests.Keys.Union(buckets.Keys))
        {
            var (all, errors) = requests.GetValueOrDefault(service);
            var histogram = buckets.TryGetValue(service, out var b) ? b.Select(p => (p.Key, p.Value)).ToList() : [];
            result[service] = new ServiceTotals(all, errors, histogram);
        }

        return result;
    }

    /// <summary>
    /// The 99th percentile of the requests answered between <paramref name="before"/> and this, in seconds,
    /// interpolated inside its bucket as Prometheus' histogram_quantile does; null when no request was answered.
    /// </summary>
    public double? P99Since(ServiceTotals before) => QuantileSince(before, 0.99);

    public double? QuantileSince(ServiceTotals before, double quantile)
    {
        var earlier = before.Buckets.ToDictionary(b => b.UpperBound, b => b.Count);
        var deltas = Buckets.Select(b => (b.UpperBound, Count: Math.Max(0, b.Count - earlier.GetValueOrDefault(b.UpperBound)))).ToList();
        if (deltas.Count == 0 || deltas[^1].Count <= 0)
        {
            return null;
        }

        var rank = quantile * deltas[^1].Count;
        var lowerBound = 0.0;
        var lowerCount = 0.0;
        foreach (var (bound, count) in deltas)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(bound))
                {
                    // Beyond the largest finite bucket: its bound is the most that can be said.
                    return lowerBound;
                }

                return count == lowerCount ? bound : lowerBound + (bound - lowerBound) * (rank - lowerCount) / (count - lowerCount);
            }

            lowerBound = bound;
            lowerCount = count;
        }

        return lowerBound;
    }
}
