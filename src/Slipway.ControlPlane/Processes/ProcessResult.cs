namespace Slipway.ControlPlane.Processes;

/// <summary>How a process group run ended.</summary>
internal sealed record ProcessResult
{
    /// <summary>The leader's exit code; 128 + signal when it was killed by a signal.</summary>
    public required int ExitCode { get; init; }

    public required bool TimedOut { get; init; }

    public required bool Cancelled { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>The last lines of (merged) output, oldest first.</summary>
    public required IReadOnlyList<string> LastLines { get; init; }

    /// <summary>The whole of stdout when <see cref="ProcessRequest.CaptureStdout"/> was set; otherwise null.</summary>
    public string? Output { get; init; }

    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;
}
