using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Slipway.Edge.Tests.Forwarding;

/// <summary>
/// A real Kestrel backend on 127.0.0.1:0 that echoes its id, with endpoints for slow answers, SSE,
/// WebSocket echo, header echo, body counting and a response that dies mid-body.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackend(string id, WebApplication app, string url)
    {
        Id = id;
        _app = app;
        Url = url;
    }

    public string Id { get; }

    public string Url { get; }

    /// <summary>What /healthz answers; flip it to make the target fail its probes.</summary>
    public volatile bool Healthy = true;

    private int _healthProbes;

    /// <summary>How many /healthz requests arrived.</summary>
    public int HealthProbes => Volatile.Read(ref _healthProbes);

    /// <summary>Method and raw target of every request other than health probes.</summary>
    public ConcurrentQueue<string> Seen { get; } = new();

    /// <summary>The request target of every request other than health probes, byte for byte as it arrived.</summary>
    public ConcurrentQueue<string> RawTargets { get; } = new();

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at the arrival of each request in <see cref="Seen"/>.</summary>
    public ConcurrentQueue<long> Arrivals { get; } = new();

    public static async Task<TestBackend> StartAsync(string id)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        TestBackend? self = null;
        app.UseWebSockets();
        app.Run(context => self!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new TestBackend(id, app, address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path == "/healthz")
        {
            Interlocked.Increment(ref _healthProbes);
            context.Response.StatusCode = Healthy ? 200 : 503;
            await context.Response.WriteAsync(Healthy ? "ok" : "sick");
            return;
        }

        Arrivals.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
        Seen.Enqueue($"{request.Method} {path}{request.QueryString}");
        RawTargets.Enqueue(context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget);
        context.Response.Headers["X-Backend"] = Id;
        var token = context.RequestAborted;
        switch (path)
        {
            case "/slow":
                var ms = int.Parse(request.Query["ms"].ToString() is { Length: > 0 } v ? v : "500", System.Globalization.CultureInfo.InvariantCulture);
                await Task.Delay(ms, token);
                await context.Response.WriteAsync(Id, token);
                return;
            case "/sse":
                context.Response.ContentType = "text/event-stream";
                await context.Response.Body.FlushAsync(token);
                for (var n = 0; !token.IsCancellationRequested; n++)
                {
                    await context.Response.WriteAsync($"data: {Id} {n}\n\n", token);
                    await context.Response.Body.FlushAsync(token);
                    await Task.Delay(100, token);
                }

                return;
            case "/ws" when context.WebSockets.IsWebSocketRequest:
                await EchoAsync(await context.WebSockets.AcceptWebSocketAsync(), token);
                return;
            case "/headers":
                var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(headers), token);
                return;
            case "/body":
                long total = 0;
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await request.Body.ReadAsync(buffer, token)) > 0)
                {
                    total += read;
                }

                await context.Response.WriteAsync($"{Id} {total}", token);
                return;
            case "/partial":
                context.Response.ContentLength = 1000;
                await context.Response.Body.WriteAsync(new byte[100], token);
                await context.Response.Body.FlushAsync(token);
                // Let the first bytes reach the client through the edge before dying.
                await Task.Delay(300, token);
                context.Abort();
                return;
            case "/fail":
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync(Id, token);
                return;
            case "/set-cookie":
                context.Response.Headers.Append("Set-Cookie", "app=1; Path=/");
                await context.Response.WriteAsync(Id, token);
                return;
            default:
                await context.Response.WriteAsync(Id, token);
                return;
        }
    }

    private async Task EchoAsync(WebSocket socket, CancellationToken token)
    {
        var buffer = new byte[4096];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", token);
                    return;
                }

                var reply = Encoding.UTF8.GetBytes($"{Id}:{Encoding.UTF8.GetString(buffer, 0, result.Count)}");
                await socket.SendAsync(reply, WebSocketMessageType.Text, true, token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }
}
