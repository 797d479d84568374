using System.Net;
using System.Net.Sockets;

namespace Slipway.Edge.Handover;

/// <summary>
/// One listening socket of the edge (public HTTP, admin, control), created by the edge itself rather than by
/// Kestrel so that its descriptor can be handed to the next edge. Kestrel serves on a duplicate
/// (<see cref="DuplicateForServer"/>); this object owns the original.
/// </summary>
internal sealed class EdgeListener : IDisposable
{
    public const string Http = "http";
    public const string Admin = "admin";
    public const string H2c = "h2c";
    public const string Https = "https";
    public const string Control = "control";

    private const int Backlog = 512;

    private readonly Socket _socket;
    private readonly List<int> _serverCopies = [];

    private EdgeListener(string name, Socket socket)
    {
        Name = name;
        _socket = socket;
        LocalEndPoint = socket.LocalEndPoint ?? throw new IOException($"The {name} listener has no local address.");
    }

    public string Name { get; }

    public EndPoint LocalEndPoint { get; }

    public IPEndPoint? IPEndPoint => LocalEndPoint as IPEndPoint;

    /// <summary>This process's descriptor of the socket, the one sent to the next edge.</summary>
    public int Descriptor => (int)_socket.Handle;

    /// <summary>Binds and listens on a TCP address (port 0 picks a free port).</summary>
    public static EdgeListener BindTcp(string name, IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(Backlog);
            return new EdgeListener(name, socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds a Unix socket at <paramref name="path"/> with mode 0600. It is bound under a temporary name and
    /// renamed into place: .NET deletes the file a socket was bound to when that socket closes, and after a
    /// handover the file belongs to the next edge.
    /// </summary>
    public static EdgeListener BindUnix(string name, string path)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, "edge.tmp");
        File.Delete(temporary);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(temporary));
            // Only our user may drive the edge; set before the name is visible.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(Backlog);
            File.Move(temporary, path, overwrite: true);
            return new EdgeListener(name, socket);
        }
        catch
        {
            socket.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Wraps a descriptor received from the previous edge; this object owns it from now on.</summary>
    public static EdgeListener Adopt(string name, int descriptor) =>
        new(name, new Socket(new SafeSocketHandle(descriptor, ownsHandle: true)));

    /// <summary>A duplicate descriptor for Kestrel (<c>ListenHandle</c>), which closes it when it unbinds.</summary>
    public ulong DuplicateForServer()
    {
        var copy = UnixFdPassing.Duplicate(Descriptor);
        lock (_serverCopies)
        {
            _serverCopies.Add(copy);
        }

        return (ulong)copy;
    }

    /// <summary>
    /// Called once the next edge holds the socket, before this process closes its descriptors: a close must
    /// only drop this process's reference, never shut the socket down for the next edge
    /// (see <see cref="UnixFdPassing.SetCloseOnExec"/>).
    /// </summary>
    public void MarkShared()
    {
        UnixFdPassing.SetCloseOnExec(Descriptor, closeOnExec: false);
        lock (_serverCopies)
        {
            foreach (var copy in _serverCopies)
            {
                UnixFdPassing.SetCloseOnExec(copy, closeOnExec: false);
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
