using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Handover;

/// <summary>
/// The running edge's side of an upgrade: spawns the successor in its own session, passes it the listening
/// sockets, freezes this edge's state once the successor is ready, and returns when the successor serves.
/// Any failure before that kills the successor and leaves this edge serving as before (thawed if frozen).
/// </summary>
internal sealed partial class EdgeUpgrader(
    string home,
    string logFile,
    TimeSpan drainTimeout,
    IReadOnlyList<EdgeListener> listeners,
    ControlGate gate,
    Func<CancellationToken, Task> freeze,
    Func<Task> thaw,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>How long control changes already running (a deploy waiting for health) may delay the freeze.</summary>
    public static readonly TimeSpan FreezeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The running edge's <c>--trusted-proxies</c>, handed to the successor with the listeners.</summary>
    public string? TrustedProxies { get; init; }

    private const string Script = "log=\"$1\"; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1";
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    private int _running;

    /// <summary>Throws <see cref="ControlException"/> (400 bad request, 409 another upgrade, 502 the new edge failed).</summary>
    public async Task<UpgradeResult> UpgradeAsync(UpgradeRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new ControlException(409, new ControlError { Error = "An edge upgrade is already in progress; wait for it to finish." });
        }

        var handedOver = false;
        try
        {
            var result = await RunAsync(request, cancellationToken);
            handedOver = true;
            return result;
        }
        finally
        {
            if (!handedOver)
            {
                Volatile.Write(ref _running, 0);
            }
        }
    }

    private async Task<UpgradeResult> RunAsync(UpgradeRequest request, CancellationToken cancellationToken)
    {
        var name = $"slipway-edge-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var deadline = time.GetUtcNow() + TimeSpan.FromMilliseconds(request.TimeoutMs);
        using var rendezvous = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        rendezvous.Bind(HandoverChannel.EndPoint(name));
        rendezvous.Listen(1);

        Process child;
        try
        {
            child = Spawn(request.Command, name);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            throw Failed($"could not start the new edge: {ex.Message}");
        }

        using (child)
        {
            Log.Spawned(logger, child.Id, string.Join(' ', request.Command), logFile);
            var frozen = false;
            try
            {
                // The socket calls block (bounded by poll); they run off the request thread.
                using var channel = await Task.Run(() => Accept(rendezvous, child, deadline, cancellationToken), CancellationToken.None);
                var hello = await Task.Run(() => Expect(channel, HandoverMessage.Hello, child, deadline, cancellationToken), CancellationToken.None);
                if (hello.Protocol != HandoverMessage.CurrentProtocol)
                {
                    throw Failed($"the new edge speaks handover protocol {hello.Protocol}, this one {HandoverMessage.CurrentProtocol}");
                }

                channel.Send(new HandoverMessage
                {
                    Type = HandoverMessage.Listeners,
                    Pid = Environment.ProcessId,
                    Version = Hosting.EdgeHost.Version,
                    Names = [.. listeners.Select(l => l.Name)],
                    DrainTimeoutMs = (int)drainTimeout.TotalMilliseconds,
                    TrustedProxies = TrustedProxies,
                }, [.. listeners.Select(l => l.Descriptor)]);
                var ready = await Task.Run(() => Expect(channel, HandoverMessage.Ready, child, deadline, cancellationToken), CancellationToken.None);
                Log.Ready(logger, ready.Pid, ready.Version ?? "?");

                if (!await gate.FreezeAsync(FreezeTimeout, time, cancellationToken))
                {
                    throw Failed($"control requests (a deploy waiting for health?) were still running after {FreezeTimeout.TotalSeconds:0} s; try again when they finished");
                }

                frozen = true;
                await freeze(cancellationToken);
                channel.Send(new HandoverMessage { Type = HandoverMessage.Go, Pid = Environment.ProcessId });
                var serving = await Task.Run(() => Expect(channel, HandoverMessage.Serving, child, deadline, cancellationToken), CancellationToken.None);
                gate.HandOver();
                Log.Serving(logger, serving.Pid, serving.Version ?? "?");
                return new UpgradeResult
                {
                    Previous = new EdgeVersion { Version = Hosting.EdgeHost.Version, Pid = Environment.ProcessId },
                    Current = new EdgeVersion { Version = serving.Version ?? "", Pid = serving.Pid },
                    LogFile = logFile,
                    DrainTimeoutMs = (int)drainTimeout.TotalMilliseconds,
                };
            }
            catch (Exception ex) when (ex is ControlException or IOException or TimeoutException or SocketException or OperationCanceledException)
            {
                if (ex is IOException && !child.HasExited)
                {
                    // The connection usually closes because the process is exiting; its exit code says more.
                    await Task.WhenAny(child.WaitForExitAsync(CancellationToken.None), Task.Delay(TimeSpan.FromSeconds(2), time, CancellationToken.None));
                }

                var reason = ex switch
                {
                    IOException when ExitReason(child) is { } exited => exited,
                    ControlException control => control.Message,
                    TimeoutException => $"the new edge did not take over within {request.TimeoutMs} ms",
                    OperationCanceledException => "the upgrade request was cancelled",
                    _ => ex.Message,
                };
                await KillAsync(child);
                if (frozen)
                {
                    await thaw();
                    gate.Thaw();
                }

                Log.Failed(logger, reason);
                throw ex as ControlException ?? Failed(reason);
            }
        }
    }

    private Process Spawn(IReadOnlyList<string> command, string name)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var info = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "setsid")
        {
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        // Its own session: the new edge outlives this process, its terminal and its process group.
        foreach (var argument in new[] { "/bin/sh", "-c", Script, "slipway-edge", logFile })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in command.Concat(["edge", "--home", home, "--takeover", name]))
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned nothing.");
    }

    private HandoverChannel Accept(Socket rendezvous, Process child, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            while (!rendezvous.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ExitReason(child) is { } reason)
                {
                    throw Failed(reason);
                }

                if (time.GetUtcNow() >= deadline)
                {
                    throw new TimeoutException();
                }
            }

            var connection = rendezvous.Accept();
            var (pid, uid) = UnixFdPassing.PeerCredentials(connection);
            // The listeners go to the process this edge started, nobody else on the host.
            if (pid == child.Id && uid == UnixFdPassing.CurrentUserId())
            {
                return new HandoverChannel(connection);
            }

            Log.Stranger(logger, pid);
            connection.Dispose();
        }
    }

    private HandoverMessage Expect(HandoverChannel channel, string type, Process child, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var (message, descriptors) = channel.Receive(deadline, time, () =>
            cancellationToken.IsCancellationRequested ? "the upgrade request was cancelled" : ExitReason(child));
        foreach (var descriptor in descriptors)
        {
            _ = UnixFdPassing.Close(descriptor);
        }

        if (message.Type == HandoverMessage.Failed)
        {
            throw Failed($"the new edge failed: {message.Error}");
        }

        return message.Type == type
            ? message
            : throw Failed($"the new edge said '{message.Type}' where '{type}' was expected");
    }

    private string? ExitReason(Process child) =>
        child.HasExited ? $"the new edge exited with code {child.ExitCode} (see {logFile})" : null;

    private async Task KillAsync(Process child)
    {
        if (child.HasExited)
        {
            return;
        }

        // setsid made it the leader of its own group: take anything it started along.
        ProcessSignals.SignalGroup(child.Id, ProcessSignals.SigKill);
        await Task.WhenAny(child.WaitForExitAsync(CancellationToken.None), Task.Delay(KillWait, time, CancellationToken.None));
        Log.Killed(logger, child.Id);
    }

    private static void Validate(UpgradeRequest request)
    {
        if (request.Command.Count == 0 || string.IsNullOrWhiteSpace(request.Command[0]))
        {
            throw ControlException.BadRequest("Say which program runs the new edge: command is e.g. [\"/usr/local/bin/slipway\"].", "command");
        }

        if (!Path.IsPathFullyQualified(request.Command[0]) || !File.Exists(request.Command[0]))
        {
            throw ControlException.BadRequest($"The program '{request.Command[0]}' is not an absolute path to an existing file.", "command");
        }

        if (request.TimeoutMs is < 1000 or > 600_000)
        {
            throw ControlException.BadRequest("The timeout must be between 1000 and 600000 ms.", "timeoutMs");
        }
    }

    private static ControlException Failed(string reason) =>
        new(502, new ControlError { Error = $"The edge upgrade failed: {reason}. This edge keeps serving." });

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Upgrade: started the new edge (pid {Pid}): {Command}; its output goes to {LogFile}")]
        public static partial void Spawned(ILogger logger, int pid, string command, string logFile);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Upgrade: the new edge (pid {Pid}, version {Version}) holds the listeners; freezing this edge's state")]
        public static partial void Ready(ILogger logger, int pid, string version);

        [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Upgrade: the new edge (pid {Pid}, version {Version}) serves; this edge stops accepting and drains")]
        public static partial void Serving(ILogger logger, int pid, string version);

        [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Upgrade failed: {Reason}; this edge keeps serving")]
        public static partial void Failed(ILogger logger, string reason);

        [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Upgrade: killed the new edge (pid {Pid})")]
        public static partial void Killed(ILogger logger, int pid);

        [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Upgrade: refused a handover connection from pid {Pid}, which this edge did not start")]
        public static partial void Stranger(ILogger logger, int pid);
    }
}
