using Microsoft.Extensions.Logging;
using Slipway.Edge.Services;

namespace Slipway.Edge.Draining;

/// <summary>
/// Drains targets that left routing: in-flight requests finish; whatever is still open at the deadline
/// (long-lived SSE and WebSocket streams) is closed then, not at the swap.
/// </summary>
internal sealed partial class TargetDrainer(TimeProvider timeProvider, ILogger logger)
{
    /// <summary>How long closed streams get to unwind after the deadline before the target is let go.</summary>
    private static readonly TimeSpan AfterDeadlineGrace = TimeSpan.FromSeconds(5);

    /// <summary>The targets must already be out of every routable set of the snapshot.</summary>
    public async Task<DrainOutcome> DrainAsync(IReadOnlyList<Target> targets, TimeSpan deadline)
    {
        var started = timeProvider.GetTimestamp();
        foreach (var target in targets)
        {
            target.Retire();
        }

        var all = Task.WhenAll(targets.Select(t => t.Drained));
        var aborted = 0;
        try
        {
            await all.WaitAsync(deadline, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var target in targets.Where(t => !t.Drained.IsCompleted))
            {
                var open = target.InFlight;
                aborted += open;
                LogDeadline(logger, target.Id, open);
                target.CloseStreams();
            }

            try
            {
                await all.WaitAsync(AfterDeadlineGrace, timeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A request that ignores cancellation cannot hold the drain forever.
            }
        }

        foreach (var target in targets)
        {
            target.StopProbing();
        }

        var elapsed = (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;
        LogDrained(logger, string.Join(", ", targets.Select(t => t.Id)), elapsed, aborted);
        return new DrainOutcome([.. targets.Select(t => t.Id)], elapsed, aborted);
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Drain deadline reached for target {TargetId}; closing {Open} open request(s)")]
    private static partial void LogDeadline(ILogger logger, string targetId, int open);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Drained {Targets} in {ElapsedMs} ms ({Aborted} closed at the deadline)")]
    private static partial void LogDrained(ILogger logger, string targets, long elapsedMs, int aborted);
}
