using System.Net;
using Slipway.Edge.Hosting;

namespace Slipway.Edge.Tests.Hosting;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("localhost:7070", "127.0.0.1:7070")]
    [InlineData("[::1]:8080", "[::1]:8080")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    public void TryParse_HostAndPort_Parses(string value, string expected)
    {
        Assert.True(ListenAddress.TryParse(value, out var endpoint));
        Assert.Equal(IPEndPoint.Parse(expected), endpoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8080")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("::1:80")]
    [InlineData("host.example:80")]
    [InlineData("http://127.0.0.1:80")]
    public void TryParse_NotHostAndPort_Fails(string value)
    {
        Assert.False(ListenAddress.TryParse(value, out _));
    }
}
