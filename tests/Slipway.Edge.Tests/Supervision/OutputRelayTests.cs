using System.Diagnostics;
using System.Text;
using Slipway.Edge.Secrets;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Tests.Supervision;

public sealed class OutputRelayTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("slipway-relay-").FullName;

    [Fact]
    public async Task CopyAsync_SecretSplitAcrossReads_IsMaskedBecauseLinesAreWrittenWhole()
    {
        var redactor = new OutputRedactor(["split-secret"]);
        using var input = new ChunkedStream([Encoding.UTF8.GetBytes("first line\nvalue=split-"), Encoding.UTF8.GetBytes("secret end\nlast without newline split-secret")]);
        using var output = new MemoryStream();

        await OutputRelay.CopyAsync(input, output, redactor, CancellationToken.None);

        Assert.Equal("first line\nvalue=*** end\nlast without newline ***", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task RunAsync_RealFifo_AppendsMaskedOutputAndRemovesTheFifo()
    {
        var fifo = Path.Combine(_directory, "out.fifo");
        var log = Path.Combine(_directory, "app.log");
        await File.WriteAllTextAsync(log, "earlier line\n");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        // Opening a FIFO blocks until the other end opens: the relay gets a thread of its own.
        var relay = Task.Run(() => OutputRelay.RunAsync(fifo, log, new OutputRedactor(["fifo-secret-1"]), CancellationToken.None));
        // The writer is a real process, as the app would be: its output ends when it exits.
        using var app = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec >\"$0\"; echo \"using fifo-secret-1\"; echo done", fifo } })!;
        await app.WaitForExitAsync();
        await relay.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal("earlier line\nusing ***\ndone\n", await File.ReadAllTextAsync(log));
        Assert.False(File.Exists(fifo));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Hands out its chunks one read at a time, as a pipe does when the writer writes in pieces.</summary>
    private sealed class ChunkedStream(IReadOnlyList<byte[]> chunks) : Stream
    {
        private int _next;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_next >= chunks.Count)
            {
                return 0;
            }

            var chunk = chunks[_next++];
            chunk.CopyTo(buffer, offset);
            return chunk.Length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
