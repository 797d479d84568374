using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>
/// Reads the edge's services and metrics every <see cref="Interval"/> and keeps each service's request rate,
/// error rate and p99 over the last <see cref="Capacity"/> intervals in memory (lost on restart by design: the
/// edge's own counters are the record). Readers get an immutable <see cref="EdgeSnapshot"/> without locks.
/// </summary>
internal sealed partial class EdgeSampler(
    Func<CancellationToken, Task<IReadOnlyList<ServiceStatus>>> services,
    Func<CancellationToken, Task<string>> metrics,
    TimeProvider time,
    ILogger<EdgeSampler> logger)
{
    public const int Capacity = 120;

    private EdgeSnapshot _snapshot = EdgeSnapshot.Empty;
    private IReadOnlyDictionary<string, ServiceTotals> _lastTotals = new Dictionary<string, ServiceTotals>();
    private DateTimeOffset? _lastAt;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    public EdgeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await SampleOnceAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(Interval, time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Takes one sample; an unreachable edge is recorded as the snapshot's error and the series are kept.</summary>
    public async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ServiceStatus> list;
        IReadOnlyDictionary<string, ServiceTotals> totals;
        try
        {
            list = await services(cancellationToken);
            totals = ServiceTotals.From(await metrics(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Slipway.Edge.Control.EdgeControlException or System.Text.Json.JsonException)
        {
            Log.SampleFailed(logger, e.Message);
            var previous = Snapshot;
            Volatile.Write(ref _snapshot, previous with { Error = $"the edge could not be read: {e.Message}" });
            return;
        }

        var now = time.GetUtcNow();
        var old = Snapshot;
        var series = new Dictionary<string, RingBuffer<ServicePoint>>(StringComparer.Ordinal);
        foreach (var service in list)
        {
            var ring = old.Series.GetValueOrDefault(service.Name) ?? new RingBuffer<ServicePoint>(Capacity);
            if (_lastAt is { } lastAt && (now - lastAt).TotalSeconds > 0)
            {
                var current = totals.GetValueOrDefault(service.Name) ?? new ServiceTotals(0, 0, []);
                var before = _lastTotals.GetValueOrDefault(service.Name) ?? new ServiceTotals(0, 0, []);
                // A counter that went down means the edge restarted: count from zero again.
                if (current.Requests < before.Requests)
                {
                    before = new ServiceTotals(0, 0, []);
                }

                var requests = current.Requests - before.Requests;
                var errors = current.ServerErrors - before.ServerErrors;
                ring = ring.Add(new ServicePoint(now, requests / (now - lastAt).TotalSeconds,
                    requests > 0 ? errors / requests : null, current.P99Since(before)));
            }

            series[service.Name] = ring;
        }

        _lastTotals = totals;
        _lastAt = now;
        Volatile.Write(ref _snapshot, new EdgeSnapshot(now, list, series, null));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Debug, Message = "Dashboard edge sample failed: {Reason}")]
        public static partial void SampleFailed(ILogger logger, string reason);
    }
}
