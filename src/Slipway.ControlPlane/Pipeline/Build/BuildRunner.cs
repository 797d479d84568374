using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline.Build;

/// <summary>
/// The build phase: runs the app's <c>build</c> steps (gates) in order in the workspace, each with
/// <c>bash -c</c> in its own process group and under its own timeout. The first failing step fails the deploy.
/// </summary>
internal sealed class BuildRunner
{
    private const int SummaryLines = 10;

    private readonly ProcessGroupRunner _runner;

    public BuildRunner(ProcessGroupRunner runner)
    {
        _runner = runner;
    }

    /// <returns>One result per step, in order, for the release manifest.</returns>
    /// <exception cref="DeployFailedException">A step exited non-zero or timed out.</exception>
    /// <exception cref="OperationCanceledException">The deployment was cancelled; the running step was killed.</exception>
    public async Task<IReadOnlyList<GateResult>> RunAsync(
        IReadOnlyList<BuildStep> steps,
        string workspace,
        IReadOnlyDictionary<string, string> environment,
        DeployLog log,
        CancellationToken cancellationToken)
    {
        var gates = new List<GateResult>(steps.Count);
        foreach (var step in steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            log.Append($"==> {step.Name}: {step.Run}");

            var request = ProcessRequest.Bash(step.Run, workspace) with
            {
                Environment = environment,
                Timeout = step.Timeout,
                TailLines = SummaryLines,
            };
            var prefix = $"[{step.Name}] ";
            var result = await _runner.RunAsync(request, line => log.Append(prefix + line), cancellationToken)
                .ConfigureAwait(false);

            if (result.Cancelled)
            {
                log.Append($"==> {step.Name} cancelled after {Durations.Format(result.Duration)}");
                throw new OperationCanceledException($"Build step '{step.Name}' was cancelled.", cancellationToken);
            }

            var lastLines = result.LastLines.Select(log.Redactor.Redact).ToList();
            if (result.TimedOut)
            {
                log.Append($"==> {step.Name} timed out after {Durations.Format(step.Timeout)}; killed");
                throw new DeployFailedException(
                    DeploymentPhase.Build,
                    DeployFailedException.WithLastLines(
                        $"step '{step.Name}' timed out after {Durations.Format(step.Timeout)}", lastLines),
                    null);
            }

            log.Append($"==> {step.Name} exited with code {result.ExitCode} after {Durations.Format(result.Duration)}");
            if (result.ExitCode != 0)
            {
                throw new DeployFailedException(
                    DeploymentPhase.Build,
                    DeployFailedException.WithLastLines(
                        $"step '{step.Name}' exited with code {result.ExitCode}", lastLines),
                    result.ExitCode);
            }

            gates.Add(new GateResult(step.Name, result.ExitCode, (long)result.Duration.TotalMilliseconds));
        }

        return gates;
    }
}
