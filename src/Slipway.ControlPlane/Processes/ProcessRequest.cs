namespace Slipway.ControlPlane.Processes;

/// <summary>One command to run in its own process group.</summary>
internal sealed record ProcessRequest
{
    /// <summary>Program and arguments, passed as-is (no shell unless the first element is a shell).</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    public required string WorkingDirectory { get; init; }

    /// <summary>Variables set on top of the inherited environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// When true, stdout is returned whole in <see cref="ProcessResult.Output"/> (exact bytes as text, e.g. for
    /// NUL-separated git output) and only stderr is streamed; otherwise stdout and stderr are merged into one
    /// stream of lines.
    /// </summary>
    public bool CaptureStdout { get; init; }

    /// <summary>How many of the last output lines the result keeps for error messages.</summary>
    public int TailLines { get; init; } = 20;

    /// <summary>Builds a request that runs <paramref name="script"/> with <c>bash -c</c>.</summary>
    public static ProcessRequest Bash(string script, string workingDirectory) =>
        new() { Argv = ["bash", "-c", script], WorkingDirectory = workingDirectory };
}
