using System.Net.WebSockets;
using System.Text;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Draining;

public sealed class TargetDrainerTests
{
    [Fact]
    public async Task DrainAsync_SseStreamAcrossSwap_KeepsFlowingUntilDeadlineThenEnds()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);

        using var response = await edge.Client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: a ", await reader.ReadLineAsync(), StringComparison.Ordinal);

        var swap = edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([b], drainMs: 1_500), CancellationToken.None);
        await Poll.UntilAsync(() => edge.Registry.Get("app")!.Targets[0].Id == "b", TimeSpan.FromSeconds(10), "the swap to b");

        // Events keep coming from a after the swap.
        var afterSwap = 0;
        var ended = false;
        while (!ended)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (IOException)
            {
                line = null;
            }

            if (line is null)
            {
                ended = true;
            }
            else if (line.StartsWith("data: a ", StringComparison.Ordinal))
            {
                afterSwap++;
            }
        }

        var result = await swap;
        Assert.True(afterSwap >= 3, $"only {afterSwap} events after the swap");
        Assert.Equal(1, result.AbortedAtDeadline);
        Assert.True(result.DrainMs >= 1_000, $"drain took {result.DrainMs} ms; the stream was cut before the deadline");

        using var fresh = await edge.Client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead);
        using var freshReader = new StreamReader(await fresh.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: b ", await freshReader.ReadLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainAsync_WebSocketAcrossSwap_StaysOpenUntilDeadlineThenCloses()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{edge.Port}/ws"), CancellationToken.None);
        Assert.Equal("a:hello", await EchoAsync(socket, "hello"));

        var swap = edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([b], drainMs: 1_500), CancellationToken.None);
        await Poll.UntilAsync(() => edge.Registry.Get("app")!.Targets[0].Id == "b", TimeSpan.FromSeconds(10), "the swap to b");
        Assert.Equal("a:still here", await EchoAsync(socket, "still here"));
        Assert.False(swap.IsCompleted);

        // At the deadline the edge drops the tunnel: the next receive fails or sees the end.
        var closed = false;
        try
        {
            var result = await socket.ReceiveAsync(new byte[1024], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            closed = result.MessageType == WebSocketMessageType.Close;
        }
        catch (WebSocketException)
        {
            closed = true;
        }

        Assert.True(closed);
        var drained = await swap;
        Assert.Equal(1, drained.AbortedAtDeadline);

        using var fresh = new ClientWebSocket();
        await fresh.ConnectAsync(new Uri($"ws://127.0.0.1:{edge.Port}/ws"), CancellationToken.None);
        Assert.Equal("b:hi", await EchoAsync(fresh, "hi"));
        await fresh.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string message)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
