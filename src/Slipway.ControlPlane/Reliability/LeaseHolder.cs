using System.Globalization;
using Slipway.ControlPlane.IO;

namespace Slipway.ControlPlane.Reliability;

/// <summary>
/// Who holds the lease: <c>HOST/PID/START</c>, where START is the process start time in clock ticks since boot
/// (/proc/PID/stat field 22), so a reused pid is not mistaken for the holder. A control plane that finds the
/// lease held by a process of its own host that no longer exists takes over at once rather than waiting for the
/// expiry: after a kill -9 the supervised control plane restarts and leads again within its restart delay.
/// </summary>
internal static class LeaseHolder
{
    public static string Current { get; } = For(Environment.ProcessId);

    public static string For(int pid) =>
        $"{Environment.MachineName}/{pid.ToString(CultureInfo.InvariantCulture)}/{StartTicks(pid)?.ToString(CultureInfo.InvariantCulture) ?? "?"}";

    /// <summary>True when <paramref name="holder"/> names a process of this host that is no longer running.</summary>
    public static bool IsGone(string holder)
    {
        var parts = holder.Split('/');
        if (parts.Length != 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        if (!Posix.ProcessExists(pid))
        {
            return true;
        }

        var ticks = StartTicks(pid);
        return ticks is not null && ticks.Value.ToString(CultureInfo.InvariantCulture) != parts[2];
    }

    private static long? StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state), so field 22 is fields[19].
            return fields.Length > 19 && long.TryParse(fields[19], CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
