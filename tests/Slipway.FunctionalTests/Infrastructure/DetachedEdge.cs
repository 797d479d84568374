using Slipway.Edge.Control;
using Slipway.Edge.Supervision;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>The edge answering on a home's control socket, which after <c>slipway edge upgrade</c> runs detached from the test.</summary>
internal static class DetachedEdge
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    public static async Task<int?> PidAsync(string home)
    {
        using var client = new EdgeControlClient(Path.Combine(home, "edge.sock"), TimeSpan.FromSeconds(10));
        try
        {
            return (await client.GetVersionAsync(CancellationToken.None)).Pid;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Stops the edge of <paramref name="home"/> unless it is <paramref name="launchedPid"/> (which its owner stops): SIGTERM, then SIGKILL.</summary>
    public static async Task StopAsync(string home, int launchedPid)
    {
        if (await PidAsync(home) is not int edge || edge == launchedPid || edge <= 1)
        {
            return;
        }

        ProcessSignals.SignalGroup(edge, ProcessSignals.SigTerm);
        try
        {
            await Poll.UntilAsync(() => !SupervisedProcess.IsSameProcess(edge, null), ExitDeadline, $"the edge (pid {edge}) to stop");
        }
        catch (TimeoutException)
        {
            ProcessSignals.SignalGroup(edge, ProcessSignals.SigKill);
        }
    }
}
