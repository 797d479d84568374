using System.Text;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// One deployment's log, <c>logs/deployments/&lt;id&gt;.log</c>. Every line is redacted, appended and flushed
/// before it is handed to <c>onLine</c> (which the orchestrator journals as a <c>deploy.log</c> event), so the
/// file is never behind what a client has seen. Safe to call from several threads.
/// </summary>
internal sealed class DeployLog : IDisposable
{
    /// <summary>The size of the <c>logTail</c> a failed deployment reports.</summary>
    public const int DefaultTailBytes = 8 * 1024;

    private const int RecentLineCapacity = 1000;

    private readonly FileStream _stream;
    private readonly Action<string>? _onLine;
    private readonly Queue<string> _recent = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    public DeployLog(string path, Redactor? redactor = null, Action<string>? onLine = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        Redactor = redactor ?? Redactor.None;
        _onLine = onLine;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    public string Path { get; }

    public Redactor Redactor { get; }

    /// <summary>The log of deployment <paramref name="deploymentId"/> under <paramref name="logsRoot"/>.</summary>
    public static DeployLog ForDeployment(
        string logsRoot, string deploymentId, Redactor? redactor = null, Action<string>? onLine = null) =>
        new(System.IO.Path.Combine(logsRoot, "deployments", deploymentId + ".log"), redactor, onLine);

    /// <summary>Appends one line (or several, if <paramref name="text"/> contains newlines).</summary>
    public void Append(string text)
    {
        var lines = text.Split('\n');
        var count = lines.Length > 1 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        foreach (var raw in lines.AsSpan(0, count))
        {
            var line = Redactor.Redact(raw.TrimEnd('\r'));
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
                _stream.Flush();
                _recent.Enqueue(line);
                if (_recent.Count > RecentLineCapacity)
                {
                    _recent.Dequeue();
                }

                _onLine?.Invoke(line);
            }
        }
    }

    /// <summary>The last <paramref name="count"/> lines written (at most the last 1000), oldest first.</summary>
    public IReadOnlyList<string> LastLines(int count)
    {
        lock (_lock)
        {
            return [.. _recent.Skip(Math.Max(0, _recent.Count - count))];
        }
    }

    /// <summary>
    /// The end of the log: at most <paramref name="maxBytes"/> UTF-8 bytes, starting at the beginning of a line.
    /// A final line longer than the limit yields an empty tail rather than a line cut in half.
    /// </summary>
    public string Tail(int maxBytes = DefaultTailBytes) => ReadTail(Path, maxBytes);

    /// <summary>The tail of any deployment log file, for logs of finished deployments.</summary>
    public static string ReadTail(string path, int maxBytes = DefaultTailBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = reader.Length;
        var start = Math.Max(0, length - maxBytes);
        var buffer = new byte[length - start];
        reader.Position = start;
        reader.ReadExactly(buffer);

        var offset = 0;
        if (start > 0)
        {
            // The byte before the window ends a line: the window already starts on a line boundary.
            var previous = new byte[1];
            reader.Position = start - 1;
            reader.ReadExactly(previous);
            if (previous[0] != (byte)'\n')
            {
                var newline = Array.IndexOf(buffer, (byte)'\n');
                offset = newline < 0 ? buffer.Length : newline + 1;
            }
        }

        return Encoding.UTF8.GetString(buffer, offset, buffer.Length - offset);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stream.Dispose();
        }
    }
}
