using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Tests.Tls;

/// <summary>Reads the ALPN list from a ClientHello written by the real TLS stack.</summary>
public sealed class ClientHelloTests
{
    private static async Task<byte[]> CaptureHelloAsync(List<SslApplicationProtocol> protocols)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        using var tls = new SslStream(client.GetStream());
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "app.test", ApplicationProtocols = protocols });
        var buffer = new byte[16 * 1024];
        var read = 0;
        var stream = server.GetStream();
        while (ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(buffer, 0, read), out _) == ClientHello.Status.Incomplete)
        {
            read += await stream.ReadAsync(buffer.AsMemory(read));
        }

        server.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return buffer[..read];
    }

    [Fact]
    public async Task TryReadAlpn_BrowserLikeHello_ListsH2AndHttp11()
    {
        var hello = await CaptureHelloAsync([SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);
        Assert.Equal(ClientHello.Status.Complete, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out var protocols));
        Assert.Equal(["h2", "http/1.1"], protocols);
        Assert.False(new OfferedProtocolsFeature(protocols).OffersOnlyAcmeTls);
    }

    [Fact]
    public async Task TryReadAlpn_AcmeValidation_OffersOnlyAcmeTls()
    {
        var hello = await CaptureHelloAsync([TlsDefaults.AcmeTls]);
        ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out var protocols);
        Assert.True(new OfferedProtocolsFeature(protocols).OffersOnlyAcmeTls);
    }

    [Fact]
    public async Task TryReadAlpn_PartialRecord_IsIncomplete()
    {
        var hello = await CaptureHelloAsync([SslApplicationProtocol.Http11]);
        Assert.Equal(ClientHello.Status.Incomplete, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello, 0, hello.Length - 1), out _));
        Assert.Equal(ClientHello.Status.Incomplete, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello, 0, 3), out _));
    }

    [Fact]
    public void TryReadAlpn_NotTls_CompleteWithNothing()
    {
        var plain = "GET / HTTP/1.1\r\n"u8.ToArray();
        Assert.Equal(ClientHello.Status.Complete, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(plain), out var protocols));
        Assert.Empty(protocols);
    }
}
