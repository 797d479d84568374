using System.Text;
using Slipway.Client;

namespace Slipway.FunctionalTests.Cli;

public sealed class ServerSentEventReaderTests
{
    private static async Task<List<ServerSentEvent>> ReadAsync(string text)
    {
        var events = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEventReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task ReadAsync_FieldsCommentsAndMultilineData_DispatchesOnBlankLines()
    {
        var events = await ReadAsync(": keep-alive\nid: 7\nevent: deploy.log\ndata: one\ndata:two\n\nevent: ping\ndata: x\n\n");

        Assert.Equal(2, events.Count);
        Assert.Equal(new ServerSentEvent("7", "deploy.log", "one\ntwo"), events[0]);
        // The id persists until the server sends another one.
        Assert.Equal(new ServerSentEvent("7", "ping", "x"), events[1]);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsMidEvent_DoesNotDispatchIt()
    {
        var events = await ReadAsync("id: 1\ndata: whole\n\nid: 2\ndata: half");

        Assert.Equal([new ServerSentEvent("1", "message", "whole")], events);
    }

    [Fact]
    public async Task ReadAsync_CrLfLineEndings_ParsedLikeLf()
    {
        var events = await ReadAsync("id: 3\r\nevent: deploy.done\r\ndata: {}\r\n\r\n");

        Assert.Equal([new ServerSentEvent("3", "deploy.done", "{}")], events);
    }
}
