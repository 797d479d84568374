using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Forwarder;

// Usage: YarpBench <listen host:port> <h2c listen host:port> <target-url>. YARP's direct forwarding
// (MapForwarder) of every request to one target over HTTP/1.1, with the edge's Kestrel limits and client
// handler settings, so the difference to the edge is the edge's own routing, health and metrics work.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: YarpBench 127.0.0.1:LISTEN 127.0.0.1:H2C_LISTEN http://127.0.0.1:TARGET");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Services.AddHttpForwarder();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = null;
    kestrel.Listen(IPEndPoint.Parse(args[0]));
    kestrel.Listen(IPEndPoint.Parse(args[1]), listen => listen.Protocols = HttpProtocols.Http2);
});
var app = builder.Build();
using var client = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ConnectTimeout = TimeSpan.FromSeconds(5),
    PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
    ActivityHeadersPropagator = null,
});
var config = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
app.MapForwarder("/{**catch-all}", args[2], config, HttpTransformer.Default, client);
using var allocationProbe = Slipway.Bench.AllocationProbe.Register();
app.Run();
return 0;
