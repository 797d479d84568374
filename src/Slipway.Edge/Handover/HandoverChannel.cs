using System.Net.Sockets;
using System.Text.Json;
using Slipway.Edge.Control;

namespace Slipway.Edge.Handover;

/// <summary>
/// The connected handover socket (<c>SOCK_SEQPACKET</c>, so every message arrives whole). Blocking calls
/// bounded by <c>poll</c>; callers run them off the request path.
/// </summary>
internal sealed class HandoverChannel : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private readonly Socket _socket;

    public HandoverChannel(Socket socket)
    {
        _socket = socket;
    }

    public Socket Socket => _socket;

    /// <summary>An abstract Unix socket name (no file to leave behind); only the spawned successor is let in, by pid.</summary>
    public static UnixDomainSocketEndPoint EndPoint(string name) => new("\0" + name);

    public static HandoverChannel Connect(string name)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            socket.Connect(EndPoint(name));
            return new HandoverChannel(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Send(HandoverMessage message, ReadOnlySpan<int> descriptors = default) =>
        UnixFdPassing.Send(_socket, JsonSerializer.SerializeToUtf8Bytes(message, ControlJson.Options), descriptors);

    /// <summary>
    /// The next message and its descriptors (owned by the caller). Throws <see cref="TimeoutException"/> at the
    /// deadline, <see cref="IOException"/> when the peer hung up or <paramref name="abort"/> says to stop waiting.
    /// </summary>
    public (HandoverMessage Message, int[] Descriptors) Receive(DateTimeOffset deadline, TimeProvider time, Func<string?>? abort = null)
    {
        while (!_socket.Poll(PollSlice, SelectMode.SelectRead))
        {
            if (abort?.Invoke() is { } reason)
            {
                throw new IOException(reason);
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException("no answer in time");
            }
        }

        var buffer = new byte[BufferSize];
        var length = UnixFdPassing.Receive(_socket, buffer, out var descriptors);
        if (length == 0)
        {
            throw new IOException("the other edge closed the handover connection");
        }

        try
        {
            var message = JsonSerializer.Deserialize<HandoverMessage>(buffer.AsSpan(0, length), ControlJson.Options)
                ?? throw new IOException("an empty handover message");
            return (message, descriptors);
        }
        catch (JsonException ex)
        {
            foreach (var descriptor in descriptors)
            {
                _ = UnixFdPassing.Close(descriptor);
            }

            throw new IOException($"an unreadable handover message: {ex.Message}", ex);
        }
    }

    public void Dispose() => _socket.Dispose();
}
