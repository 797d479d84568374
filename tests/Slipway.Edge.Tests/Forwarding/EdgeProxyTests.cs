using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;

namespace Slipway.Edge.Tests.Forwarding;

public sealed class EdgeProxyTests
{
    private static ServiceDefinition Definition(Func<ServiceDefinition, ServiceDefinition>? change = null, string host = "*")
    {
        var definition = new ServiceDefinition { Routes = [new RouteDefinition { Host = host, Path = "/" }], Health = EdgeServer.FastHealth };
        return change is null ? definition : change(definition);
    }

    /// <summary>Probed healthy once, then left alone: a dead backend stays "healthy" long enough to hit it.</summary>
    private static readonly HealthCheckDefinition SlowHealth = new() { IntervalMs = 60_000, TimeoutMs = 1_000, HealthyThreshold = 1, UnhealthyThreshold = 100 };

    [Fact]
    public async Task HandleAsync_HopByHopHeaders_AreDroppedAndForwardedHeadersAdded()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend]);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Connection.Add("X-Secret");
        request.Headers.TryAddWithoutValidation("X-Secret", "hidden");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic abc");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "spoofed.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/spoofed");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "10.0.0.2");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=10.0.0.3");
        request.Headers.TryAddWithoutValidation("X-Kept", "yes");
        using var response = await edge.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
        var seen = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);

        Assert.False(seen.ContainsKey("X-Secret"));
        Assert.False(seen.ContainsKey("Keep-Alive"));
        Assert.False(seen.ContainsKey("Proxy-Authorization"));
        Assert.False(seen.ContainsKey("TE"));
        Assert.Equal("yes", seen["X-Kept"]);
        // The client is no trusted proxy: its X-Forwarded-For is replaced with the address the edge saw.
        Assert.Equal("127.0.0.1", seen["X-Forwarded-For"]);
        Assert.Equal("127.0.0.1", seen["X-Real-IP"]);
        Assert.False(seen.ContainsKey("Forwarded"));
        Assert.False(seen.ContainsKey("X-Forwarded-Prefix"));
        Assert.Equal("http", seen["X-Forwarded-Proto"]);
        Assert.Equal($"127.0.0.1:{edge.Port}", seen["X-Forwarded-Host"]);
        Assert.Equal($"127.0.0.1:{edge.Port}", seen["Host"]);
    }

    [Fact]
    public async Task HandleAsync_PeerIsATrustedProxy_KeepsItsForwardingHeadersAndAppendsTheEdgeHop()
    {
        await using var backend = await TestBackend.StartAsync("a");
        Assert.True(TrustedProxies.TryParse("10.1.0.0/16, 127.0.0.0/8", out var trusted, out _));
        await using var edge = await EdgeServer.StartAsync(trusted);
        await edge.AddServiceAsync("app", [backend]);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "app.example");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "203.0.113.7");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=203.0.113.7;proto=https");
        using var response = await edge.Client.SendAsync(request);
        var seen = new Dictionary<string, string>(
            JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!, StringComparer.OrdinalIgnoreCase);

        Assert.Equal("203.0.113.7, 127.0.0.1", seen["X-Forwarded-For"]);
        Assert.Equal("https", seen["X-Forwarded-Proto"]);
        Assert.Equal("app.example", seen["X-Forwarded-Host"]);
        Assert.Equal("203.0.113.7", seen["X-Real-IP"]);
        Assert.Equal($"for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=\"127.0.0.1:{edge.Port}\"", seen["Forwarded"]);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("10.0.0.0/99")]
    public void TrustedProxies_NotAnAddressOrRange_IsRefusedWithAnExample(string text)
    {
        Assert.False(TrustedProxies.TryParse(text, out _, out var error));
        Assert.Contains("CIDR", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_RequestTargetWithInvalidEscape_ReachesTheBackendByteForByte()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend]);

        // A System.Uri would send /a%25zz (and fold /b/%2E%2E); the backend must see what the client sent.
        var answer = await SendRawAsync(edge.Port, "GET /a%zz/%2e%2E/x?q=%zz&r=a%2Fb HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Equal(["/a%zz/%2e%2E/x?q=%zz&r=a%2Fb"], backend.RawTargets);
    }

    [Fact]
    public async Task HandleAsync_TwoCookieHeaders_ReachTheBackendJoinedWithSemicolons()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend]);

        var answer = await SendRawAsync(edge.Port, "GET /headers HTTP/1.1\r\nHost: app\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n");

        var json = answer[answer.IndexOf('{', StringComparison.Ordinal)..answer.LastIndexOf('}')] + "}";
        var seen = new Dictionary<string, string>(JsonSerializer.Deserialize<Dictionary<string, string>>(json)!, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("a=1; b=2", seen["Cookie"]);
    }

    [Fact]
    public async Task HandleAsync_ForwardedRequests_LogNothingPerRequestBelowWarning()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        await using var edge = await EdgeServer.StartAsync(loggerFactory: loggerFactory);
        await edge.AddServiceAsync("app", [backend]);

        for (var i = 0; i < 3; i++)
        {
            using var response = await edge.Client.GetAsync("/");
            response.EnsureSuccessStatusCode();
        }

        // YARP would log "Proxying to ..." and "Received HTTP/1.1 response 200" at Information for each one.
        Assert.DoesNotContain(logs.Entries, e => e.Category.StartsWith("Yarp", StringComparison.Ordinal) && e.Level < LogLevel.Warning);
    }

    [Fact]
    public async Task HandleAsync_UnknownHost_Answers404Page()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        edge.Registry.Upsert("app", Definition(host: "app.test"));
        await edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([backend]), CancellationToken.None);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/anything");
        request.Headers.Host = "other.test";
        using var response = await edge.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No app is routed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(backend.Seen);

        using var routed = new HttpRequestMessage(HttpMethod.Get, "/x");
        routed.Headers.Host = "app.test";
        using var ok = await edge.Client.SendAsync(routed);
        Assert.Equal("a", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HandleAsync_TargetRefusesConnection_Answers502()
    {
        var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend], Definition(d => d with { Health = SlowHealth }));
        await backend.DisposeAsync();

        using var response = await edge.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_ConnectFailsOnOneTarget_RetriesOnAnother()
    {
        var dead = await TestBackend.StartAsync("dead");
        await using var alive = await TestBackend.StartAsync("alive");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [dead, alive], Definition(d => d with { Health = SlowHealth }));
        await dead.DisposeAsync();

        for (var i = 0; i < 6; i++)
        {
            using var response = await edge.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("alive", await response.Content.ReadAsStringAsync());
        }

        // A POST with a body is not retried: it answers 502 when it lands on the dead target.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await edge.Client.PostAsync("/body", new StringContent("payload"));
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.BadGateway, statuses);
        Assert.Contains(HttpStatusCode.OK, statuses);
    }

    [Fact]
    public async Task HandleAsync_SlowResponseHeaders_Answers504()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend], Definition(d => d with { ResponseHeadersTimeoutMs = 300 }));

        using var response = await edge.Client.GetAsync("/slow?ms=5000");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_BodyOverLimit_Answers413ForContentLengthAndChunked()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend], Definition(d => d with { MaxRequestBodyBytes = 1_000 }));

        using var small = await edge.Client.PostAsync("/body", new ByteArrayContent(new byte[600]));
        Assert.Equal("a 600", await small.Content.ReadAsStringAsync());

        using var sized = await edge.Client.PostAsync("/body", new ByteArrayContent(new byte[2_000]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);

        var chunkedContent = new StreamContent(new UnknownLengthStream(new byte[5_000]));
        using var chunked = await edge.Client.PostAsync("/body", chunkedContent);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);

        var chunkedSmall = new StreamContent(new UnknownLengthStream(new byte[700]));
        using var okChunked = await edge.Client.PostAsync("/body", chunkedSmall);
        Assert.Equal("a 700", await okChunked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HandleAsync_BackendDiesMidBody_ClientSeesAbortedConnection()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend]);

        using var response = await edge.Client.GetAsync("/partial", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(Stream.Null);
        });
    }

    [Fact]
    public async Task HandleAsync_BothContentLengthAndTransferEncoding_NoSmuggledRequestReachesBackend()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend]);

        // Framed by Content-Length the body holds a second request; framed by chunked it is empty.
        const string Hidden = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        var body = "0\r\n\r\n" + Hidden;
        var raw = "POST /body HTTP/1.1\r\nHost: app\r\n" +
                  $"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n" + body;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, edge.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(raw), SocketFlags.None);
        var answer = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(5));

        // Kestrel frames the request by Transfer-Encoding (empty body), answers it, and closes the
        // connection because the framing was ambiguous, so the hidden bytes are never parsed as a request.
        Assert.Equal(["POST /body"], backend.Seen);
        Assert.Single(Responses(answer));
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\na 0\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ServiceOverride_RoutesEveryRequestToThatService()
    {
        await using var admin = await TestBackend.StartAsync("control-plane");
        await using var edge = await EdgeServer.StartAsync();
        edge.Registry.Upsert("slipway", Definition(host: "admin.invalid"));
        await edge.Registry.SetTargetsAsync("slipway", EdgeServer.Targets([admin]), CancellationToken.None);
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new Microsoft.AspNetCore.Http.HostString("anything.example:7070");
        context.Request.Path = "/api/v1/apps";
        context.Response.Body = new MemoryStream();

        await edge.Proxy.HandleAsync(context, serviceOverride: "slipway");

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(["GET /api/v1/apps"], admin.Seen);
        context.Response.Body.Position = 0;
        Assert.Equal("control-plane", await new StreamReader(context.Response.Body).ReadToEndAsync());
    }

    [Fact]
    public async Task HandleAsync_DeletedService_AnswersNotFound()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [backend]);

        Assert.True(await edge.Registry.DeleteAsync("app", CancellationToken.None));
        using var response = await edge.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(edge.Registry.Get("app"));
        Assert.False(await edge.Registry.DeleteAsync("app", CancellationToken.None));
    }

    private static async Task<string> SendRawAsync(int port, string raw)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(raw), SocketFlags.None);
        return await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));
    }

    private static IEnumerable<string> Responses(string raw) =>
        raw.Split("HTTP/1.1 ", StringSplitOptions.RemoveEmptyEntries);

    private static async Task<string> ReadUntilClosedAsync(Socket socket, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        var buffer = new byte[8192];
        var text = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    break;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        return text.ToString();
    }

    /// <summary>Makes HttpClient send the body chunked, as it cannot know the length up front.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
