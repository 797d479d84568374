using System.Text;
using Slipway.ControlPlane.Runtime.Docker;

namespace Slipway.ControlPlane.Tests.Runtime.Docker;

public sealed class MultiplexedStreamReaderTests
{
    [Fact]
    public async Task ReadAll_StdoutAndStderrFrames_InterleavedInArrivalOrder()
    {
        using var stream = new MemoryStream([.. Frame(1, "listening on 8080\n"), .. Frame(2, "warning: slow disk\n"), .. Frame(1, "ready\n")]);

        var text = await MultiplexedStreamReader.ReadAllAsync(stream, CancellationToken.None);

        Assert.Equal("listening on 8080\nwarning: slow disk\nready\n", text);
    }

    [Fact]
    public async Task ReadAll_FrameSplitAcrossReads_Reassembled()
    {
        var bytes = Frame(1, new string('x', 5000) + "\n");
        await using var stream = new TrickleStream(bytes, chunk: 7);

        var text = await MultiplexedStreamReader.ReadAllAsync(stream, CancellationToken.None);

        Assert.Equal(5001, text.Length);
    }

    [Fact]
    public async Task ReadAll_RawTtyStream_KeptAsIs()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("plain terminal output\n"));

        var text = await MultiplexedStreamReader.ReadAllAsync(stream, CancellationToken.None);

        Assert.Equal("plain terminal output\n", text);
    }

    [Fact]
    public async Task ReadAll_TruncatedFrame_KeepsWhatArrived()
    {
        var frame = Frame(2, "crashed: out of memory\n");
        using var stream = new MemoryStream(frame[..^5]);

        var text = await MultiplexedStreamReader.ReadAllAsync(stream, CancellationToken.None);

        Assert.Equal("crashed: out of me", text);
    }

    [Fact]
    public async Task ReadAll_Empty_Empty()
    {
        using var stream = new MemoryStream();

        Assert.Equal("", await MultiplexedStreamReader.ReadAllAsync(stream, CancellationToken.None));
    }

    private static byte[] Frame(byte streamType, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var header = new byte[] { streamType, 0, 0, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length };
        return [.. header, .. payload];
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, like a socket under load.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
