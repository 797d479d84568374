namespace Slipway.ControlPlane.Tests.Processes;

/// <summary>Observes processes through /proc, to prove that a killed group's members are really gone.</summary>
internal static class ProcessProbe
{
    /// <summary>True when <paramref name="pid"/> no longer runs (gone, or a zombie waiting to be reaped).</summary>
    public static bool IsDead(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Format: "pid (comm) S ..."; comm may contain spaces, so read after the last ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    public static async Task<bool> WaitUntilDeadAsync(int pid, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (DateTime.UtcNow < until)
        {
            if (IsDead(pid))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return IsDead(pid);
    }

    /// <summary>Polls <paramref name="condition"/> until true or the deadline passes.</summary>
    public static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
