namespace Slipway.Edge.Secrets;

/// <summary>
/// Which texts redaction looks for, given an app's secret values. Shared by the control plane (deploy logs, events,
/// API answers) and the edge's output relay (process log files), so both mask the same things.
/// </summary>
public static class SecretPatterns
{
    /// <summary>
    /// Values shorter than this are injected but not masked: a secret such as <c>on</c> or <c>42</c> would turn every
    /// occurrence of those characters in every log line into <c>***</c> and make the output unreadable while hiding little.
    /// </summary>
    public const int MinimumLength = 4;

    public const string Mask = "***";

    /// <summary>
    /// The distinct texts to mask, longest first (so a secret containing another is masked whole): every value of at
    /// least <see cref="MinimumLength"/> characters, and each line of a multi-line value (a PEM key, say), because
    /// output is redacted line by line.
    /// </summary>
    public static IReadOnlyList<string> From(IEnumerable<string> values)
    {
        var patterns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            Add(value);
            if (value.Contains('\n', StringComparison.Ordinal))
            {
                foreach (var line in value.Split('\n'))
                {
                    Add(line.TrimEnd('\r'));
                    Add(line.Trim());
                }
            }
        }

        return [.. patterns.OrderByDescending(p => p.Length).ThenBy(p => p, StringComparer.Ordinal)];

        void Add(string text)
        {
            if (text.Length >= MinimumLength)
            {
                patterns.Add(text);
            }
        }
    }
}
