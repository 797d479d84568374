using System.Diagnostics;
using System.Diagnostics.Metrics;
using Slipway.Edge.Forwarding;

namespace Slipway.Edge.Observability;

/// <summary>
/// The edge's request metrics on the <c>Slipway.Edge</c> meter. The Prometheus exporter reads them
/// through a <see cref="MeterListener"/>.
/// </summary>
public sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "Slipway.Edge";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _inFlight;

    public EdgeMetrics()
        : this(new Meter(MeterName))
    {
    }

    public EdgeMetrics(IMeterFactory meterFactory)
        : this(meterFactory.Create(MeterName))
    {
    }

    private EdgeMetrics(Meter meter)
    {
        _meter = meter;
        _requests = meter.CreateCounter<long>("slipway.edge.requests", "{request}", "Requests answered by the edge, by service and status class.");
        _errors = meter.CreateCounter<long>("slipway.edge.errors", "{error}", "Forwarding errors, by service and kind.");
        _duration = meter.CreateHistogram<double>("slipway.edge.request.duration", "s", "Time from request arrival to the end of the response.");
        _inFlight = meter.CreateUpDownCounter<long>("slipway.edge.requests.in_flight", "{request}", "Requests being forwarded now.");
    }

    /// <summary>
    /// Publishes the per-target figures of <paramref name="registry"/> (requests, 5xx and transport errors, p99 latency
    /// since the target joined), labelled by service, target and role (<c>active</c>, <c>canary</c>, <c>draining</c>).
    /// Observed when metrics are collected, so the request path pays nothing for them.
    /// </summary>
    public void ObserveTargets(Services.ServiceRegistry registry)
    {
        _meter.CreateObservableCounter("slipway.edge.target.requests",
            () => registry.TargetFigures().Select(t => new Measurement<long>(t.Stats.Requests, Tags(t))),
            "{request}", "Requests forwarded to a target since it joined the edge.");
        _meter.CreateObservableCounter("slipway.edge.target.errors",
            () => registry.TargetFigures().SelectMany(t => new[]
            {
                new Measurement<long>(t.Stats.Status5xx, [.. Tags(t), new("kind", "5xx")]),
                new Measurement<long>(t.Stats.TransportErrors, [.. Tags(t), new("kind", "transport")]),
            }),
            "{error}", "Answers of 500 or more, and transport errors, of a target since it joined the edge.");
        _meter.CreateObservableGauge("slipway.edge.target.latency.p99",
            () => registry.TargetFigures().Where(t => t.Stats.P99Ms is not null).Select(t => new Measurement<double>(t.Stats.P99Ms!.Value, Tags(t))),
            "ms", "99th percentile of a target's forward latency since it joined the edge.");
    }

    private static KeyValuePair<string, object?>[] Tags(Services.TargetFigures figures) =>
    [
        new("service", figures.Service), new("target", figures.Target), new("role", figures.Role),
    ];

    /// <summary>This instance's meter, so a listener can tell it from another edge's in the same process.</summary>
    public Meter Meter => _meter;

    internal void RequestStarted(string service) => _inFlight.Add(1, new KeyValuePair<string, object?>("service", service));

    internal void RequestFinished(string service, int statusCode, ForwarderError error, TimeSpan elapsed)
    {
        _inFlight.Add(-1, new KeyValuePair<string, object?>("service", service));
        var tags = new TagList
        {
            { "service", service },
            { "status_class", StatusClass(statusCode) },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (error != ForwarderError.None)
        {
            _errors.Add(1, new TagList { { "service", service }, { "kind", ForwarderErrors.Name(error) } });
        }
    }

    public void Dispose() => _meter.Dispose();

    private static string StatusClass(int statusCode) => statusCode switch
    {
        >= 100 and < 200 => "1xx",
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        _ => "5xx",
    };
}
