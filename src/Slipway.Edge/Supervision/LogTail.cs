using System.Text;

namespace Slipway.Edge.Supervision;

/// <summary>Reads the last lines of a (possibly large, still growing) log file without reading all of it.</summary>
internal static class LogTail
{
    private const int InitialChunk = 8 * 1024;
    private const int MaximumChunk = 16 * 1024 * 1024;

    public static async Task<IReadOnlyList<string>> ReadLastLinesAsync(string path, int lines, CancellationToken cancellationToken)
    {
        if (lines <= 0 || !File.Exists(path))
        {
            return [];
        }

        await using var stream = new FileStream(
            path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
        var length = stream.Length;
        var chunk = InitialChunk;
        while (true)
        {
            var start = Math.Max(0, length - chunk);
            var buffer = new byte[length - start];
            stream.Position = start;
            await stream.ReadExactlyAsync(buffer, cancellationToken);

            var newlines = buffer.Count(b => b == (byte)'\n');
            if (newlines > lines || start == 0 || chunk >= MaximumChunk)
            {
                var text = Encoding.UTF8.GetString(buffer);
                var all = text.Split('\n');
                // A window that starts mid-file starts mid-line; drop that partial first line.
                var first = start == 0 ? 0 : 1;
                var last = all.Length - (text.EndsWith('\n') ? 1 : 0);
                var from = Math.Max(first, last - lines);
                return all[from..last];
            }

            chunk *= 2;
        }
    }
}
