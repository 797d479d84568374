using System.Runtime.InteropServices;

namespace Slipway.Edge.Supervision;

/// <summary>Signals to whole process groups; .NET's Process.Kill cannot address a group.</summary>
internal static partial class ProcessSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    private const int Esrch = 3;

    /// <summary>Sends <paramref name="signal"/> to every process in the group. False when the group is gone.</summary>
    public static bool SignalGroup(int processGroup, int signal)
    {
        if (processGroup <= 1)
        {
            // kill(0, ...) and kill(-1, ...) address our own group or every process: never what we mean.
            throw new ArgumentOutOfRangeException(nameof(processGroup), processGroup, "A process group id must be greater than 1.");
        }

        if (Kill(-processGroup, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno != Esrch;
    }

    /// <summary>True while any process of the group exists (signal 0 checks without sending).</summary>
    public static bool GroupExists(int processGroup) => SignalGroup(processGroup, 0);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
