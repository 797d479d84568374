namespace Slipway.Cli;

/// <summary>
/// Finds what is new between two reads of a log tail. Each read is the last N lines, so the new read starts with a
/// suffix of the old one; the longest such overlap is skipped. No overlap (a restart, or more than N new lines)
/// prints the whole new read.
/// </summary>
internal static class LogTail
{
    public static IReadOnlyList<string> NewLines(IReadOnlyList<string> previous, IReadOnlyList<string> current)
    {
        for (var overlap = Math.Min(previous.Count, current.Count); overlap > 0; overlap--)
        {
            if (Matches(previous, previous.Count - overlap, current, overlap))
            {
                return current.Skip(overlap).ToList();
            }
        }

        return current;
    }

    public static IReadOnlyList<string> Split(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static bool Matches(IReadOnlyList<string> previous, int start, IReadOnlyList<string> current, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!string.Equals(previous[start + i], current[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
