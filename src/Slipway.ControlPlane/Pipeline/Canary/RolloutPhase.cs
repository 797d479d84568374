using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Pipeline.Canary;

/// <summary>
/// The <c>rollout</c> phase, between validate and activate (docs/rollout.md): the validated candidate gets each step's
/// share of new sessions (the edge's sticky canary split) while the stable generation keeps the rest; after each pause
/// <see cref="RolloutAnalysis"/> decides from the edge's per-target figures whether to advance or abort, and an
/// operator's promote, abort, pause or resume overrides it. It returns when the candidate may take all traffic (the
/// activate phase then swaps as always); an abort puts all traffic back on the stable generation, waits for the
/// canary to drain and fails the deployment with the reason. Every step and decision is journaled before it acts.
/// </summary>
internal sealed partial class RolloutPhase(IEdgeGateway edge, SlipwayStore store, TimeProvider time, ILogger<RolloutPhase> logger)
{
    /// <summary>
    /// The canary's first requests (JIT, cold caches) are left out of its first window: they would be its p99 and a
    /// release would be judged on its start-up rather than on how it serves.
    /// </summary>
    public const int WarmupRequests = 20;

    /// <summary>How often the phase reads the edge's figures and the operator's commands.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The rollout this run makes, or null for a full swap: no <c>rollout:</c> and no <c>--canary</c>, a rollback (it
    /// restores a release that already served), or nothing serving yet to compare the candidate with.
    /// </summary>
    public RolloutPlan? Plan(DeploymentRun run, Candidate candidate)
    {
        var requested = store.GetRollout(run.Id);
        var spec = run.Spec.Rollout;
        if ((spec is null && requested is null) || run.Deployment.Kind == DeploymentKind.Rollback)
        {
            return null;
        }

        var current = store.GetPointers(run.App, run.Env).Current;
        if (current is not { } number || number == candidate.Generation
            || store.GetGeneration(run.App, run.Env, number) is not { ProcessId: { } processId, Port: { } port })
        {
            run.Log.Append("rollout: nothing serves yet to compare the candidate with; it takes all traffic at once");
            return null;
        }

        var stable = new TargetDefinition { Id = processId, Url = $"http://127.0.0.1:{port}" };
        var defaults = spec ?? new Spec.RolloutSpec();
        return requested is { Hold: true }
            ? new RolloutPlan(requested.Steps, Hold: true, defaults.Pause, defaults.Analysis, number, stable)
            : new RolloutPlan(defaults.Steps, Hold: false, defaults.Pause, defaults.Analysis, number, stable);
    }

    public async Task RunAsync(DeploymentRun run, Candidate candidate, RolloutPlan plan, CancellationToken cancellationToken)
    {
        store.StartRollout(run.Id, plan.Steps, plan.Hold, plan.StableGeneration, candidate.Generation);
        var service = ServiceNames.For(run.App, run.Env);
        var canaryTarget = new TargetDefinition { Id = candidate.ProcessId, Url = candidate.Url };
        run.Unsplit = () => UnsplitAsync(run, plan);
        try
        {
            for (var step = 0; step < plan.Steps.Count; step++)
            {
                var weight = plan.Steps[step];
                store.SetRolloutStep(run.Id, step, weight);
                await SplitAsync(run, service, plan, canaryTarget, weight, cancellationToken);
                run.Log.Append($"rollout: step {step + 1}/{plan.Steps.Count}: {weight}% of new sessions go to generation {candidate.Generation}, the rest stay on generation {plan.StableGeneration}");
                Log.Step(logger, run.Id, step + 1, weight);
                if (await WatchAsync(run, service, plan, candidate, step, weight, cancellationToken))
                {
                    break;
                }
            }
        }
        catch (RolloutAbortedException e)
        {
            if (store.GetRollout(run.Id) is { IsOpen: true } open)
            {
                Decide(run, open, "abort", e.Message, "analysis", RolloutStates.Aborted);
            }

            await UnsplitAsync(run, plan);
            throw new DeployFailedException(DeploymentPhase.Rollout, e.Message, 1, e);
        }
        catch (Exception e) when (e is not DeployFailedException)
        {
            // Cancelled, or the edge went away: the canary must not keep its share with no one watching it.
            var reason = e is OperationCanceledException ? "cancelled" : $"stopped by an error: {e.Message}";
            Decide(run, store.GetRollout(run.Id)!, "abort", reason, "operator", RolloutStates.Aborted);
            await UnsplitAsync(run, plan);
            throw;
        }
    }

    /// <summary>After the activate phase moved all traffic to the candidate: the rollout is complete.</summary>
    public void Completed(DeploymentRun run)
    {
        if (store.GetRollout(run.Id) is { IsOpen: true } rollout)
        {
            Decide(run, rollout, "done", "all traffic moved to the candidate", "analysis", RolloutStates.Promoted);
        }
    }

    /// <summary>The run failed or was cancelled after its rollout began (e.g. the final swap was refused): the rollout ends aborted.</summary>
    public void Ended(DeploymentRun run, string? summary)
    {
        if (store.GetRollout(run.Id) is { IsOpen: true, State: not RolloutStates.Requested } rollout)
        {
            Decide(run, rollout, "abort", summary ?? "the deployment did not finish", "operator", RolloutStates.Aborted);
        }
    }

    /// <returns>True when the candidate is to take all traffic now (promoted by an operator).</returns>
    private async Task<bool> WatchAsync(DeploymentRun run, string service, RolloutPlan plan, Candidate candidate, int step, int weight, CancellationToken cancellationToken)
    {
        var last = step == plan.Steps.Count - 1;
        var baseline = await ReadAsync(service, plan, candidate, cancellationToken);
        var started = time.GetTimestamp();
        var paused = store.GetRollout(run.Id)!.State == RolloutStates.Paused;
        while (true)
        {
            await Task.Delay(Tick, time, cancellationToken);
            var rollout = store.GetRollout(run.Id)!;
            switch (store.TakeRolloutCommand(run.Id))
            {
                case "promote":
                    Decide(run, rollout, "promote", "promoted by an operator", "operator", RolloutStates.Promoting);
                    return true;
                case "abort":
                    Decide(run, rollout, "abort", "aborted by an operator", "operator", RolloutStates.Aborted);
                    throw new RolloutAbortedException($"aborted by an operator at step {step + 1} ({weight}%); generation {plan.StableGeneration} serves alone again");
                case "pause" when !paused:
                    paused = true;
                    Decide(run, rollout, "pause", "paused by an operator", "operator", RolloutStates.Paused);
                    run.Log.Append($"rollout: paused at {weight}%; `slipway rollout {run.App} resume | promote | abort` decides");
                    break;
                case "resume" when paused:
                    paused = false;
                    Decide(run, rollout, "resume", "resumed by an operator: the step's window starts again", "operator", RolloutStates.Running);
                    run.Log.Append($"rollout: resumed at {weight}%");
                    baseline = await ReadAsync(service, plan, candidate, cancellationToken);
                    started = time.GetTimestamp();
                    break;
            }

            if (paused)
            {
                continue;
            }

            var now = await ReadAsync(service, plan, candidate, cancellationToken);
            if (step == 0 && baseline.Canary.Requests < WarmupRequests)
            {
                // Still warming up: the window starts after the warm-up requests (the pause is not extended).
                baseline = now;
                if (now.CanaryHealth == TargetHealth.Unhealthy)
                {
                    Decide(run, rollout, "abort", "the canary failed its health checks", "analysis", RolloutStates.Aborted);
                    throw new RolloutAbortedException($"aborted at step {step + 1} ({weight}%): the canary failed its health checks; generation {plan.StableGeneration} serves alone again");
                }

                continue;
            }

            if (now.Canary.Since(baseline.Canary) is not { } canaryWindow || now.Stable.Since(baseline.Stable) is not { } stableWindow)
            {
                // The edge restarted (its targets and figures are new): start the window again.
                baseline = now;
                started = time.GetTimestamp();
                continue;
            }

            var verdict = RolloutAnalysis.Judge(plan.Analysis, canaryWindow, stableWindow, now.CanaryHealth, time.GetElapsedTime(started), plan.Pause);
            var figures = (RolloutAnalysis.Figures(canaryWindow), RolloutAnalysis.Figures(stableWindow));
            switch (verdict.Kind)
            {
                case VerdictKind.Wait:
                    continue;
                case VerdictKind.Abort:
                    Decide(run, rollout, "abort", verdict.Reason, "analysis", RolloutStates.Aborted, figures);
                    run.Log.Append($"rollout: aborted at step {step + 1} ({weight}%): {verdict.Reason}");
                    Log.Aborted(logger, run.Id, step + 1, verdict.Reason);
                    throw new RolloutAbortedException($"aborted at step {step + 1} ({weight}%): {verdict.Reason}; generation {plan.StableGeneration} serves alone again");
                case VerdictKind.Pause:
                    paused = true;
                    Decide(run, rollout, "pause", verdict.Reason, "analysis", RolloutStates.Paused, figures);
                    run.Log.Append($"rollout: paused at {weight}%: {verdict.Reason}");
                    continue;
                case VerdictKind.Advance when plan.Hold && last:
                    Decide(run, rollout, "hold", verdict.Reason, "analysis", RolloutStates.Running, figures);
                    run.Log.Append($"rollout: canary healthy at {weight}% ({verdict.Reason}); it stays there until `slipway rollout {run.App} promote` (or abort)");
                    baseline = now;
                    started = time.GetTimestamp();
                    continue;
                default:
                    Decide(run, rollout, "advance", verdict.Reason, "analysis", last ? RolloutStates.Promoting : RolloutStates.Running, figures);
                    run.Log.Append($"rollout: step {step + 1} passed: {verdict.Reason}");
                    return false;
            }
        }
    }

    private void Decide(DeploymentRun run, Store.Rollout rollout, string decision, string reason, string by, string state, (WindowFigures Canary, WindowFigures Stable)? figures = null) =>
        store.DecideRollout(run.Id, new RolloutDecision
        {
            Step = Math.Max(rollout.Step, 0),
            Weight = rollout.Weight,
            Decision = decision,
            Reason = reason,
            By = by,
            Canary = figures?.Canary,
            Stable = figures?.Stable,
        }, state, decision == "abort" ? reason : null);

    private async Task SplitAsync(DeploymentRun run, string service, RolloutPlan plan, TargetDefinition canary, int weight, CancellationToken cancellationToken)
    {
        try
        {
            await edge.UpsertServiceAsync(service, ServiceNames.Definition(run.Spec, run.Env), cancellationToken);
            await edge.SetTargetsAsync(service, new SetTargetsRequest
            {
                Targets = [plan.Stable],
                Canary = new CanaryDefinition { Targets = [canary], Weight = weight },
                DeployTimeoutMs = ServiceNames.Milliseconds(run.Spec.Probes.Deadline),
                DrainTimeoutMs = ServiceNames.Milliseconds(run.Spec.Drain.Timeout),
                WaitForDrain = false,
                RequiredPasses = 1,
            }, cancellationToken);
        }
        catch (EdgeUnavailableException e)
        {
            throw new RolloutAbortedException($"the edge refused to route {weight}% to the candidate: {e.Message}");
        }
    }

    /// <summary>All traffic back to the stable generation; waits until the canary's in-flight requests finished (or its drain deadline).</summary>
    private async Task UnsplitAsync(DeploymentRun run, RolloutPlan plan)
    {
        run.Unsplit = null;
        try
        {
            var result = await edge.SetTargetsAsync(ServiceNames.For(run.App, run.Env), new SetTargetsRequest
            {
                Targets = [plan.Stable],
                DeployTimeoutMs = ServiceNames.Milliseconds(run.Spec.Probes.Deadline),
                DrainTimeoutMs = ServiceNames.Milliseconds(run.Spec.Drain.Timeout),
                WaitForDrain = true,
                RequiredPasses = 1,
            }, CancellationToken.None);
            run.Log.Append($"rollout: all traffic back on generation {plan.StableGeneration}; the canary drained in {result.DrainMs} ms");
        }
        catch (EdgeUnavailableException e)
        {
            // Recovery and the reconciler route exactly the current (stable) generation once the edge answers again.
            run.Log.Append($"rollout: could not move traffic back to generation {plan.StableGeneration}: {e.Message}; the reconciler will");
        }
    }

    private async Task<Sides> ReadAsync(string service, RolloutPlan plan, Candidate candidate, CancellationToken cancellationToken)
    {
        var status = await edge.GetServiceAsync(service, cancellationToken)
            ?? throw new RolloutAbortedException($"the edge no longer knows service {service}");
        var canary = status.Canary.FirstOrDefault(t => t.Id == candidate.ProcessId)
            ?? throw new RolloutAbortedException($"the canary left the edge's routing of {service}");
        var stable = status.Targets.FirstOrDefault(t => t.Id == plan.Stable.Id);
        return new Sides(canary.Stats ?? new TargetStatsSnapshot(), stable?.Stats ?? new TargetStatsSnapshot(), canary.Health);
    }

    private sealed record Sides(TargetStatsSnapshot Canary, TargetStatsSnapshot Stable, TargetHealth CanaryHealth);

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Deployment {Id}: rollout step {Step} at {Weight}%")]
        public static partial void Step(ILogger logger, string id, int step, int weight);

        [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Deployment {Id}: rollout aborted at step {Step}: {Reason}")]
        public static partial void Aborted(ILogger logger, string id, int step, string reason);
    }
}
