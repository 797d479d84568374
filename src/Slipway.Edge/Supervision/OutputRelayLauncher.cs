using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Slipway.Edge.Supervision;

/// <summary>
/// Starts the <see cref="OutputRelay"/> process for one run of a process that has secrets: creates a FIFO (0600) next
/// to the log file and starts <c>setsid RELAY FIFO LOGFILE</c>, handing it the secret values on stdin (never in its
/// arguments, which any user can read in <c>ps</c>). The app is then started with its output redirected to the FIFO,
/// so the supervised pid stays the app's own and re-adoption works as for any process.
/// </summary>
internal sealed partial class OutputRelayLauncher(IReadOnlyList<string> command)
{
    private const uint FifoMode = 0x180; // 0600

    public IReadOnlyList<string> Command { get; } = command.Count > 0
        ? command
        : throw new ArgumentException("The output relay command is empty.", nameof(command));

    /// <summary>Creates the FIFO and starts its relay; returns the FIFO's path and the relay process.</summary>
    public (string Fifo, Process Relay) Start(string logFile, IEnumerable<string> secretValues)
    {
        var directory = Path.GetDirectoryName(logFile)!;
        Directory.CreateDirectory(directory);
        var fifo = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(logFile)}.{Guid.NewGuid():N}.fifo");
        if (MakeFifo(fifo, FifoMode) != 0)
        {
            throw new IOException($"Could not create the output FIFO {fifo} (errno {Marshal.GetLastPInvokeError()}).");
        }

        var info = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = directory,
        };
        // Through a shell only to let go of our stdout and stderr: the relay outlives this edge, and holding its
        // output pipes open would keep whoever reads them (a terminal multiplexer, a test) waiting for ever.
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$@\" >/dev/null 2>&1");
        info.ArgumentList.Add("slipway-relay");
        foreach (var part in Command)
        {
            info.ArgumentList.Add(part);
        }

        info.ArgumentList.Add(fifo);
        info.ArgumentList.Add(logFile);
        Process relay;
        try
        {
            relay = Process.Start(info) ?? throw new IOException("Could not start the output relay.");
        }
        catch
        {
            File.Delete(fifo);
            throw;
        }

        using (var stdin = relay.StandardInput)
        {
            stdin.Write(JsonSerializer.Serialize(secretValues.ToArray()));
        }

        // Reap it when it ends, whoever started the app meanwhile.
        _ = relay.WaitForExitAsync().ContinueWith(_ => relay.Dispose(), TaskScheduler.Default);
        return (fifo, relay);
    }

    /// <summary>Undoes <see cref="Start"/> when the app itself could not be started.</summary>
    public static void Abandon(string fifo, Process relay)
    {
        try
        {
            relay.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        File.Delete(fifo);
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);
}
