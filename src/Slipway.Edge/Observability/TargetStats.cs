using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;

namespace Slipway.Edge.Observability;

/// <summary>
/// What one target answered, for its whole life in the edge: requests, 5xx answers, transport errors and a latency
/// histogram. Lock-free (one interlocked add per field on the request path); readers take a cumulative
/// <see cref="TargetStatsSnapshot"/> and subtract an earlier one to get a window (a canary's analysis compares
/// canary and stable over the same window that way).
/// </summary>
internal sealed class TargetStats
{
    private readonly long[] _latency = new long[LatencyBuckets.Count];
    private long _requests;
    private long _status5xx;
    private long _transportErrors;

    /// <summary>
    /// Records one forward to this target. A client that left is not the target's doing and is not counted, nor
    /// are requests the edge refused itself (body too large, bad client body); a transport error is a connect failure,
    /// a header timeout or a broken exchange.
    /// </summary>
    public void Record(int statusCode, ForwarderError error, TimeSpan elapsed)
    {
        if (error != ForwarderError.None && !ForwarderErrors.IsTargetFailure(error))
        {
            return;
        }

        Interlocked.Increment(ref _requests);
        if (error != ForwarderError.None)
        {
            Interlocked.Increment(ref _transportErrors);
        }
        else if (statusCode >= 500)
        {
            Interlocked.Increment(ref _status5xx);
        }

        Interlocked.Increment(ref _latency[LatencyBuckets.IndexOf(elapsed.TotalMilliseconds)]);
    }

    /// <summary>The totals so far. Fields are read one by one, so a snapshot taken under load may be a request apart between fields.</summary>
    public TargetStatsSnapshot Snapshot()
    {
        var latency = new long[_latency.Length];
        for (var i = 0; i < latency.Length; i++)
        {
            latency[i] = Interlocked.Read(ref _latency[i]);
        }

        return new TargetStatsSnapshot
        {
            Requests = Interlocked.Read(ref _requests),
            Status5xx = Interlocked.Read(ref _status5xx),
            TransportErrors = Interlocked.Read(ref _transportErrors),
            LatencyCounts = latency,
        };
    }
}
