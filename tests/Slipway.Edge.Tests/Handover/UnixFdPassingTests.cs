using System.Net;
using System.Net.Sockets;
using System.Text;
using Slipway.Edge.Handover;

namespace Slipway.Edge.Tests.Handover;

public sealed class UnixFdPassingTests
{
    [Fact]
    public void Send_ListeningSocket_ReceiverAcceptsConnectionsOnIt()
    {
        using var listening = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listening.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listening.Listen(16);
        var endpoint = (IPEndPoint)listening.LocalEndPoint!;
        var (sender, receiver) = ConnectedPair();
        using (sender)
        using (receiver)
        {
            UnixFdPassing.Send(sender, "listeners"u8, [(int)listening.Handle]);
            var buffer = new byte[64];
            var length = UnixFdPassing.Receive(receiver, buffer, out var descriptors);

            Assert.Equal("listeners", Encoding.UTF8.GetString(buffer, 0, length));
            var descriptor = Assert.Single(descriptors);
            Assert.NotEqual((int)listening.Handle, descriptor);
            Assert.True(UnixFdPassing.IsCloseOnExec(descriptor));
            using var received = new Socket(new SafeSocketHandle(descriptor, ownsHandle: true));
            Assert.Equal(endpoint, received.LocalEndPoint);

            // The sender's copy is gone; the socket (and its port) lives on in the received descriptor.
            listening.Dispose();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(endpoint);
            client.Send("ping"u8);
            using var accepted = received.Accept();
            var ping = new byte[4];
            Assert.Equal(4, accepted.Receive(ping));
            Assert.Equal("ping", Encoding.ASCII.GetString(ping));
        }
    }

    [Fact]
    public void Receive_MessageWithoutDescriptors_ReturnsPayloadOnly()
    {
        var (sender, receiver) = ConnectedPair();
        using (sender)
        using (receiver)
        {
            UnixFdPassing.Send(sender, "go"u8, []);
            var buffer = new byte[16];

            var length = UnixFdPassing.Receive(receiver, buffer, out var descriptors);

            Assert.Equal("go", Encoding.UTF8.GetString(buffer, 0, length));
            Assert.Empty(descriptors);
        }
    }

    [Fact]
    public void Receive_PeerClosed_ReturnsZero()
    {
        var (sender, receiver) = ConnectedPair();
        using (receiver)
        {
            sender.Dispose();

            Assert.Equal(0, UnixFdPassing.Receive(receiver, new byte[16], out var descriptors));
            Assert.Empty(descriptors);
        }
    }

    [Fact]
    public void PeerCredentials_ConnectedSocket_IsThisProcess()
    {
        var (sender, receiver) = ConnectedPair();
        using (sender)
        using (receiver)
        {
            var (pid, uid) = UnixFdPassing.PeerCredentials(receiver);

            Assert.Equal(Environment.ProcessId, pid);
            Assert.Equal(UnixFdPassing.CurrentUserId(), uid);
        }
    }

    [Fact]
    public void SetCloseOnExec_Cleared_IsReportedCleared()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var copy = UnixFdPassing.Duplicate((int)socket.Handle);
        try
        {
            Assert.True(UnixFdPassing.IsCloseOnExec(copy));
            UnixFdPassing.SetCloseOnExec(copy, closeOnExec: false);
            Assert.False(UnixFdPassing.IsCloseOnExec(copy));
        }
        finally
        {
            UnixFdPassing.Close(copy);
        }
    }

    /// <summary>A connected SOCK_SEQPACKET pair over an abstract Unix socket, as the handover uses.</summary>
    internal static (Socket Sender, Socket Receiver) ConnectedPair()
    {
        using var rendezvous = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        var name = $"slipway-test-{Guid.NewGuid():N}";
        rendezvous.Bind(HandoverChannel.EndPoint(name));
        rendezvous.Listen(1);
        var sender = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        sender.Connect(HandoverChannel.EndPoint(name));
        return (sender, rendezvous.Accept());
    }
}
