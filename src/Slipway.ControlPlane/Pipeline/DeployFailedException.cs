using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// A deployment phase failed for a reason the user can act on. <see cref="Summary"/> becomes the deployment's
/// <c>errorSummary</c>: it names the failing step and ends with its last output lines.
/// </summary>
internal sealed class DeployFailedException : Exception
{
    public DeployFailedException(DeploymentPhase phase, string summary, int? exitCode)
        : this(phase, summary, exitCode, null)
    {
    }

    public DeployFailedException(DeploymentPhase phase, string summary, int? exitCode, Exception? innerException)
        : base($"{phase} failed: {summary}", innerException)
    {
        Phase = phase;
        Summary = summary;
        ExitCode = exitCode;
    }

    /// <summary>The phase (docs/architecture.md §3) that failed (<c>source</c>, <c>build</c>, <c>release</c>, ...).</summary>
    public DeploymentPhase Phase { get; }

    public string Summary { get; }

    /// <summary>The failing command's exit code, or null when no command exited (timeout, bad input).</summary>
    public int? ExitCode { get; }

    /// <summary>
    /// <paramref name="what"/> followed by the last output lines, e.g. <c>step 'publish' exited with code 1:</c> and
    /// the lines indented below it. Lines must already be redacted.
    /// </summary>
    public static string WithLastLines(string what, IReadOnlyList<string> lines) =>
        lines.Count == 0
            ? what + " (no output)"
            : what + ":\n" + string.Join("\n", lines.Select(l => "  " + l));
}
