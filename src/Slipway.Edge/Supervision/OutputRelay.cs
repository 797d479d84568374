using Slipway.Edge.Secrets;

namespace Slipway.Edge.Supervision;

/// <summary>
/// The reading end of a supervised process's output when the process has secrets: reads the FIFO the process writes
/// to, masks every secret value and appends the result to the process's log file, so the file never holds a value.
/// Runs as its own small process (<c>slipway relay-output</c>) in its own session, so it outlives an edge restart
/// exactly like the app does, and ends when the app (and every child holding its output) has exited.
/// </summary>
public static class OutputRelay
{
    /// <summary>A partial line longer than this is written out (masked) without waiting for its end.</summary>
    public const int MaximumLineBytes = 64 * 1024;

    /// <summary>
    /// Opens <paramref name="fifo"/> (blocking until the process opens it for writing), removes its name (nobody needs
    /// it once both ends are open), then copies line by line until end of file.
    /// </summary>
    public static async Task RunAsync(string fifo, string logFile, OutputRedactor redactor, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        File.Delete(fifo);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        await using var output = new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        await CopyAsync(input, output, redactor, cancellationToken);
    }

    /// <summary>The masking copy: complete lines are masked and written as they arrive; the rest waits for its newline.</summary>
    public static async Task CopyAsync(Stream input, Stream output, OutputRedactor redactor, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        var pending = new MemoryStream();
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken)) > 0)
        {
            pending.Write(chunk, 0, read);
            var buffered = pending.GetBuffer().AsMemory(0, (int)pending.Length);
            var lastNewline = buffered.Span.LastIndexOf((byte)'\n');
            int complete = lastNewline >= 0 ? lastNewline + 1 : buffered.Length >= MaximumLineBytes ? buffered.Length : 0;
            if (complete == 0)
            {
                continue;
            }

            await output.WriteAsync(redactor.Redact(buffered.Span[..complete]), cancellationToken);
            var rest = buffered[complete..].ToArray();
            pending.SetLength(0);
            pending.Write(rest);
        }

        if (pending.Length > 0)
        {
            await output.WriteAsync(redactor.Redact(pending.GetBuffer().AsSpan(0, (int)pending.Length)), cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
    }
}
