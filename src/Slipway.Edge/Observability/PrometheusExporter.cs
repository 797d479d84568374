using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Slipway.Edge.Observability;

/// <summary>
/// Collects the instruments of the given meters with a <see cref="MeterListener"/> and renders them in the
/// Prometheus text exposition format (0.0.4): counters as <c>_total</c>, up-down counters and gauges as gauges,
/// histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c>. Used by the edge and the control plane.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly HashSet<string> _meterNames;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();

    public PrometheusExporter(params string[] meterNames)
    {
        _meterNames = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meterNames.Contains(instrument.Meter.Name))
            {
                _instruments.TryAdd(instrument, new InstrumentSeries(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentSeries? _);
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<float>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<short>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<byte>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<decimal>((i, v, t, _) => Record(i, (double)v, t));
        _listener.Start();
    }

    /// <summary>Renders every series of the listened meters; observable instruments are observed now.</summary>
    public string Collect()
    {
        _listener.RecordObservableInstruments();
        var output = new StringBuilder();
        foreach (var series in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.WriteTo(output);
        }

        return output.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var series))
        {
            series.Record(value, tags);
        }
    }

    private enum Kind
    {
        Counter,
        Gauge,
        SumGauge,
        Histogram,
    }

    private sealed class InstrumentSeries
    {
        private readonly Instrument _instrument;
        private readonly Kind _kind;
        private readonly double[] _buckets;
        private readonly ConcurrentDictionary<string, Point> _points = new(StringComparer.Ordinal);

        // Rendering the label text costs several allocations; on the request path the same few tag sets
        // repeat, so they find their point by the raw tags without building the text again.
        private readonly ConcurrentDictionary<TagKey, Point> _byTags = new();

        public InstrumentSeries(Instrument instrument)
        {
            _instrument = instrument;
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            _kind = generic == typeof(Counter<>) ? Kind.Counter
                : generic == typeof(ObservableCounter<>) ? Kind.Counter
                : generic == typeof(UpDownCounter<>) ? Kind.SumGauge
                : generic == typeof(Histogram<>) ? Kind.Histogram
                : Kind.Gauge;
            // Observable counters report cumulative totals, so the last value (not a sum) is the series value.
            IsCumulativeObservation = instrument.IsObservable;
            _buckets = BucketsFor(instrument);
            Name = MetricName(instrument, _kind);
        }

        public string Name { get; }

        private bool IsCumulativeObservation { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var point = PointFor(tags);
            lock (point)
            {
                switch (_kind)
                {
                    case Kind.Histogram:
                        point.Count++;
                        point.Sum += value;
                        for (var i = 0; i < _buckets.Length; i++)
                        {
                            if (value <= _buckets[i])
                            {
                                point.BucketCounts[i]++;
                            }
                        }

                        break;
                    case Kind.Counter or Kind.SumGauge when !IsCumulativeObservation:
                        point.Sum += value;
                        break;
                    default:
                        point.Sum = value;
                        break;
                }
            }
        }

        private Point PointFor(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (!TagKey.Fits(tags))
            {
                return _points.GetOrAdd(Labels(tags), _ => new Point(_buckets.Length));
            }

            var key = TagKey.From(tags);
            if (_byTags.TryGetValue(key, out var cached))
            {
                return cached;
            }

            var point = _points.GetOrAdd(Labels(tags), _ => new Point(_buckets.Length));
            _byTags.TryAdd(key, point);
            return point;
        }

        public void WriteTo(StringBuilder output)
        {
            if (_points.IsEmpty)
            {
                return;
            }

            var type = _kind switch
            {
                Kind.Counter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            };
            if (!string.IsNullOrEmpty(_instrument.Description))
            {
                output.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(_instrument.Description)).Append('\n');
            }

            output.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, point) in _points.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (point)
                {
                    if (_kind != Kind.Histogram)
                    {
                        var suffix = _kind == Kind.Counter ? "_total" : "";
                        output.Append(Name).Append(suffix).Append(Braces(labels)).Append(' ').Append(Format(point.Sum)).Append('\n');
                        continue;
                    }

                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        output.Append(Name).Append("_bucket").Append(Braces(Join(labels, $"le=\"{Format(_buckets[i])}\"")))
                            .Append(' ').Append(point.BucketCounts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    output.Append(Name).Append("_bucket").Append(Braces(Join(labels, "le=\"+Inf\"")))
                        .Append(' ').Append(point.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    output.Append(Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Format(point.Sum)).Append('\n');
                    output.Append(Name).Append("_count").Append(Braces(labels)).Append(' ')
                        .Append(point.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        private static double[] BucketsFor(Instrument instrument)
        {
            if (instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } d })
            {
                return [.. d];
            }

            if (instrument is Histogram<long> { Advice.HistogramBucketBoundaries: { Count: > 0 } l })
            {
                return [.. l.Select(v => (double)v)];
            }

            if (instrument is Histogram<int> { Advice.HistogramBucketBoundaries: { Count: > 0 } n })
            {
                return [.. n.Select(v => (double)v)];
            }

            return instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets;
        }

        private static string MetricName(Instrument instrument, Kind kind)
        {
            var name = Sanitize(instrument.Name);
            var unit = instrument.Unit switch
            {
                "s" => "seconds",
                "ms" => "milliseconds",
                "By" => "bytes",
                _ => null,
            };
            if (unit is not null && !name.EndsWith("_" + unit, StringComparison.Ordinal))
            {
                name += "_" + unit;
            }

            // The _total suffix is added when writing counter samples.
            if (kind == Kind.Counter && name.EndsWith("_total", StringComparison.Ordinal))
            {
                name = name[..^"_total".Length];
            }

            return name;
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }

            var pairs = new List<(string Key, string Value)>(tags.Length);
            foreach (var tag in tags)
            {
                pairs.Add((Sanitize(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
            }

            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return string.Join(',', pairs.Select(p => $"{p.Key}=\"{EscapeLabel(p.Value)}\""));
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string Sanitize(string name)
        {
            var builder = new StringBuilder(name.Length);
            foreach (var c in name)
            {
                builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
            }

            if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
            {
                builder.Insert(0, '_');
            }

            return builder.ToString();
        }

        private static string EscapeLabel(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string EscapeHelp(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string Format(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf"
            : double.IsNegativeInfinity(value) ? "-Inf"
            : double.IsNaN(value) ? "NaN"
            : value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Up to three tags as they were passed (same order, values compared with Equals).</summary>
    private readonly record struct TagKey(string? K0, object? V0, string? K1, object? V1, string? K2, object? V2)
    {
        public static bool Fits(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length <= 3;

        public static TagKey From(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length switch
        {
            0 => default,
            1 => new(tags[0].Key, tags[0].Value, null, null, null, null),
            2 => new(tags[0].Key, tags[0].Value, tags[1].Key, tags[1].Value, null, null),
            _ => new(tags[0].Key, tags[0].Value, tags[1].Key, tags[1].Value, tags[2].Key, tags[2].Value),
        };
    }

    private sealed class Point(int buckets)
    {
        public double Sum { get; set; }

        public long Count { get; set; }

        public long[] BucketCounts { get; } = new long[buckets];
    }
}
