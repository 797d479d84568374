using System.Net;
using System.Net.Sockets;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>Loopback ports for listeners the tests start.</summary>
internal static class FreePort
{
    // Starts at a per-process offset, so test runs in other processes on the same machine pick other ranges too.
    private static int _nextRange = Environment.ProcessId % 80;

    /// <summary>A port the kernel just handed out, released again for the child process to bind.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A range of 100 ports for one Slipway instance's app generations, distinct per instance so that
    /// parallel test classes never race for the same ports (Slipway also skips ports it cannot bind).
    /// </summary>
    public static string NextAppRange()
    {
        var first = 23000 + (100 * (Interlocked.Increment(ref _nextRange) % 80));
        return $"{first}-{first + 99}";
    }
}
