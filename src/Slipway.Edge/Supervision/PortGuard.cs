using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Slipway.Edge.Supervision;

/// <summary>
/// Port squatting (docs/security.md, defect 11): a port is chosen for a supervised process (an app generation, the
/// control plane) before that process binds it, and bound again after every restart. A local process that binds it
/// in between would receive what the edge forwards, bearer tokens included. So before the edge sends a byte to a
/// loopback port it handed to a supervised process — health probes and forwarded requests alike — it checks that
/// every socket listening on that port is held by that process's session (the supervisor starts each process with
/// <c>setsid</c>, so its children stay in it). Otherwise the connection is closed unused and the attempt fails as a
/// connect failure (<see cref="PortSquattedException"/>): the target is unhealthy, a request is retried elsewhere or
/// answered 502.
/// </summary>
/// <remarks>
/// A verified set of listening sockets is remembered per port, so a connect costs one read of
/// <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>; the descriptors of the session's processes are read again only
/// when the listening sockets change. Ports the supervisor did not hand out (containers, remote targets) pass.
/// </remarks>
public sealed class PortGuard
{
    private readonly Func<int, IReadOnlyList<PortClaim>> _claims;
    private readonly ConcurrentDictionary<int, Verified> _verified = new();

    /// <param name="claims">
    /// The active supervised processes a loopback port was handed to: none for a port the supervisor did not hand
    /// out; two while a process that gave the port up is still stopping and its successor was given it.
    /// </param>
    public PortGuard(Func<int, IReadOnlyList<PortClaim>> claims) => _claims = claims;

    /// <summary>A guard that lets everything through (unit tests, and targets not on this machine).</summary>
    public static PortGuard None { get; } = new(_ => []);

    /// <summary>A guard for one port handed to one process (the self-deploy handoff's forwarded writes).</summary>
    public static PortGuard For(int port, PortClaim claim) => new(p => p == port ? [claim] : []);

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/> of a client that goes through this guard; null for <see cref="None"/>.</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? ConnectCallback =>
        this == None ? null : (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, cancellationToken);

    /// <summary>
    /// Opens a TCP connection to <paramref name="endpoint"/> and returns it only when the port is not a supervised
    /// process's, or is served by that process. <see cref="SocketsHttpHandler.ConnectCallback"/> for the edge's clients.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            if (socket.RemoteEndPoint is IPEndPoint remote && IPAddress.IsLoopback(remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address))
            {
                Verify(remote.Port);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Throws <see cref="PortSquattedException"/> when <paramref name="port"/> is claimed and served by another process.</summary>
    public void Verify(int port)
    {
        var claims = _claims(port);
        if (claims.Count == 0)
        {
            return;
        }

        var sessions = claims.Select(c => c.Session).OfType<int>().ToHashSet();
        var listeners = ListeningSockets.Inodes(port);
        if (_verified.TryGetValue(port, out var known) && known.Sessions.SetEquals(sessions) && known.Inodes.IsSupersetOf(listeners))
        {
            return;
        }

        var held = ListeningSockets.HeldBySessions(sessions, listeners);
        if (listeners.Count == 0 || listeners.Any(inode => !held.Contains(inode)))
        {
            _verified.TryRemove(port, out _);
            throw new PortSquattedException(port, claims, listeners.Count == 0);
        }

        _verified[port] = new Verified(sessions, [.. listeners]);
    }

    private sealed record Verified(HashSet<int> Sessions, HashSet<long> Inodes);
}

/// <summary>The supervised process a port was handed to; <see cref="Session"/> is null while it is not running.</summary>
public sealed record PortClaim(string ProcessId, int? Session)
{
    /// <summary>The claim of process <paramref name="processId"/> running as <paramref name="pid"/> (its session, read now).</summary>
    public static PortClaim Of(string processId, int? pid) =>
        new(processId, pid is int running && ProcStat.Read(running) is { IsZombie: false } stat ? stat.Session : null);
}

/// <summary>The port a supervised process was given is served by someone else: nothing is sent to it.</summary>
public sealed class PortSquattedException : IOException
{
    public PortSquattedException(int port, IReadOnlyList<PortClaim> claims, bool nobodyListens)
        : base(nobodyListens
            ? $"nothing listens on 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} any more, the port of process {Names(claims)}"
            : $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} is the port of process {Names(claims)}, but another process listens on it; " +
              "the edge sends it nothing. Stop the process that took the port (ss -ltnp), then restart the app.")
    {
        Port = port;
    }

    public PortSquattedException()
    {
    }

    public PortSquattedException(string message)
        : base(message)
    {
    }

    public PortSquattedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Port { get; }

    private static string Names(IReadOnlyList<PortClaim> claims) => string.Join(" or ", claims.Select(c => $"'{c.ProcessId}'"));
}

/// <summary>Linux's view of listening TCP sockets (<c>/proc/net/tcp*</c>) and of who holds them (<c>/proc/PID/fd</c>).</summary>
internal static class ListeningSockets
{
    private const string Listen = "0A";

    /// <summary>The inodes of the sockets in LISTEN state on <paramref name="port"/>, on any local address, IPv4 and IPv6.</summary>
    public static HashSet<long> Inodes(int port)
    {
        var inodes = new HashSet<long>();
        Collect("/proc/net/tcp", port, inodes);
        Collect("/proc/net/tcp6", port, inodes);
        return inodes;
    }

    /// <summary>Those of <paramref name="inodes"/> that a process of one of <paramref name="sessions"/> holds a descriptor for.</summary>
    public static HashSet<long> HeldBySessions(IReadOnlySet<int> sessions, IReadOnlySet<long> inodes)
    {
        var held = new HashSet<long>();
        if (inodes.Count == 0 || sessions.Count == 0)
        {
            return held;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || ProcStat.Read(pid) is not { Session: var session } || !sessions.Contains(session))
            {
                continue;
            }

            IEnumerable<string> descriptors;
            try
            {
                descriptors = Directory.GetFileSystemEntries(Path.Combine(directory, "fd"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // the process ended while it was read, or is not ours to read: it holds nothing we can vouch for
            }

            foreach (var fd in descriptors)
            {
                if (SocketInode(fd) is long inode && inodes.Contains(inode))
                {
                    held.Add(inode);
                }
            }
        }

        return held;
    }

    /// <summary>Parses one line of <c>/proc/net/tcp</c>: <c>sl local rem st ... uid timeout inode</c>; null when it is not LISTEN on the port.</summary>
    internal static long? ListenerInode(string line, int port)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10 || fields[3] != Listen)
        {
            return null;
        }

        var local = fields[1];
        var colon = local.LastIndexOf(':');
        return colon > 0
            && int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var localPort)
            && localPort == port
            && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : null;
    }

    private static void Collect(string table, int port, HashSet<long> inodes)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(table);
        }
        catch (IOException)
        {
            return; // no IPv6 on this machine
        }

        foreach (var line in lines.Skip(1))
        {
            if (ListenerInode(line, port) is long inode)
            {
                inodes.Add(inode);
            }
        }
    }

    private static long? SocketInode(string fd)
    {
        // A socket descriptor links to "socket:[INODE]". A busy server opens and closes descriptors all the time: one
        // that closed since the directory was listed is skipped, not taken as the end of the scan (the listening
        // socket's own descriptor stays).
        string? target;
        try
        {
            target = new FileInfo(fd).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
            && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : null;
    }
}
