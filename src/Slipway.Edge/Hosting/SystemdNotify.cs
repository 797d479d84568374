using System.Net.Sockets;
using System.Text;

namespace Slipway.Edge.Hosting;

/// <summary>
/// The service manager's notification protocol (sd_notify(3)): newline-separated <c>KEY=VALUE</c> assignments in
/// one datagram to the <c>AF_UNIX</c> socket named by <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> for an
/// abstract socket). systemd reads the sender's pid from the socket credentials, so it must be sent by the
/// process the message speaks for (the unit's main process: <c>NotifyAccess=main</c>).
/// </summary>
public sealed class SystemdNotify
{
    public const string Variable = "NOTIFY_SOCKET";

    private readonly UnixDomainSocketEndPoint _endpoint;

    private SystemdNotify(string socket)
    {
        Socket = socket;
        // An abstract socket name starts with a NUL byte in sockaddr_un; NOTIFY_SOCKET writes it as '@'.
        _endpoint = new UnixDomainSocketEndPoint(socket[0] == '@' ? "\0" + socket[1..] : socket);
    }

    /// <summary>The socket as <c>NOTIFY_SOCKET</c> names it.</summary>
    public string Socket { get; }

    /// <summary>The notifier for <c>NOTIFY_SOCKET</c>, or null when this process was not started by a service manager that asks.</summary>
    public static SystemdNotify? FromEnvironment() => For(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Null for an unset or unusable socket name (only absolute paths and abstract names are meant).</summary>
    public static SystemdNotify? For(string? socket) =>
        socket is { Length: > 1 } && (socket[0] == '/' || socket[0] == '@') ? new SystemdNotify(socket) : null;

    /// <summary>Startup finished: the edge listens and the control plane answers.</summary>
    public bool Ready(string status, out string? error) => TrySend($"READY=1\nSTATUS={status}", out error);

    /// <summary>The service's main process is now <paramref name="pid"/> (the new edge of an upgrade).</summary>
    public bool MainPid(int pid, string status, out string? error) => TrySend($"MAINPID={pid}\nSTATUS={status}", out error);

    public bool Stopping(string status, out string? error) => TrySend($"STOPPING=1\nSTATUS={status}", out error);

    /// <summary>Sends one datagram; throws <see cref="SocketException"/> when the socket is not there.</summary>
    public void Send(string assignments)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.SendTo(Encoding.UTF8.GetBytes(assignments), _endpoint);
    }

    /// <summary>Like <see cref="Send"/>, but a missing or refusing socket is reported, not thrown: the service runs on either way.</summary>
    public bool TrySend(string assignments, out string? error)
    {
        try
        {
            Send(assignments);
            error = null;
            return true;
        }
        catch (SocketException ex)
        {
            error = $"{Variable}={Socket}: {ex.Message}";
            return false;
        }
    }
}
