using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Hosting;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Supervision;

namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// The control plane deploys itself (docs/architecture.md §7), run by the instance being replaced, top to bottom:
/// source → build → release (or reuse) → start the candidate (a read-only follower) → validate → the edge swaps the
/// admin route → this instance writes the handoff marker, releases the lease and waits, still serving its in-flight
/// requests → the candidate takes the lease and completes the handoff (<see cref="CandidateHandoff"/>). If that does
/// not happen within the ceiling, or the candidate dies, this instance routes the admin service back to itself, takes
/// the lease again, stops the candidate and fails the deployment.
/// </summary>
internal sealed partial class SelfDeployPipeline(
    SlipwayStore store,
    DeploymentJournal journal,
    SelfReleases releases,
    StartPhase start,
    ValidatePhase validate,
    IEdgeGateway edge,
    AppRuntimes runtimes,
    LeadershipYield leadership,
    Readiness readiness,
    SelfDeployOptions options,
    HttpClient http,
    TimeProvider time,
    ILogger<SelfDeployPipeline> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the old instance waits for the admin writes it is serving before it releases the lease.</summary>
    private static readonly TimeSpan WriteDrainBound = TimeSpan.FromSeconds(10);

    /// <summary>This instance's admin URL (known once Kestrel has bound).</summary>
    public required Func<string> OwnUrl { get; init; }

    /// <summary>The candidate's command when the deployment is of a release binary (<see cref="SelfBinary.RunCommand"/>).</summary>
    public required string BinaryCommand { get; init; }

    /// <summary>Extra environment for one deployment's candidate only (tests arm fault injection with it).</summary>
    public Dictionary<string, IReadOnlyDictionary<string, string>> CandidateEnvironment { get; } = new(StringComparer.Ordinal);

    public async Task<Deployment> RunAsync(DeploymentRun run, CancellationToken cancellationToken)
    {
        var started = journal.Start(run);
        TargetStatus? self = null;
        Candidate? candidate = null;
        var swapped = false;
        try
        {
            self = await SelfTargetAsync(cancellationToken);
            var release = await releases.ObtainAsync(run, phase => journal.Phase(run, phase), cancellationToken);

            journal.Phase(run, DeploymentPhase.Start, release.Id);
            var extra = TakeCandidateEnvironment(run.Id);
            var candidateRun = new DeploymentRun(run.Deployment, run.Spec with
            {
                Env = new Dictionary<string, string>(run.Spec.Env.Concat(extra), StringComparer.Ordinal) { [SelfApp.DeploymentVariable] = run.Id },
                // A release binary is run as it is, not the way the spec runs a published checkout.
                Run = SelfBinary.IsBinary(run.Deployment.FromDir) ? new Spec.RunSpec { Command = BinaryCommand } : run.Spec.Run,
            }, run.Log);
            candidate = await start.StartAsync(candidateRun, release, cancellationToken);
            run.Candidate = candidate;
            FaultInjection.After(DeploymentPhase.Start);

            journal.Phase(run, DeploymentPhase.Validate, release.Id, candidate.Generation);
            await validate.ValidateAsync(candidate, run.Spec.Probes, run.Spec.Protocol, release.Revision ?? "", release.Digest, run.Log.Append, cancellationToken);
            FaultInjection.After(DeploymentPhase.Validate);

            journal.Phase(run, DeploymentPhase.Activate, release.Id, candidate.Generation);
            cancellationToken.ThrowIfCancellationRequested();
            swapped = true;
            var swap = await SwapAdminRouteAsync(candidate.ProcessId, candidate.Url, cancellationToken);
            run.Log.Append($"activate: the admin listener routes to generation {candidate.Generation} ({candidate.Url}) after a {swap.SwapMs} ms swap; " +
                           $"this instance ({self.Id}) drains and stays up until the handoff ends (ceiling {ValidatePhase.Format(options.HandoffCeiling)})");
            FaultInjection.After(DeploymentPhase.Activate);

            journal.Phase(run, DeploymentPhase.Handoff, release.Id, candidate.Generation);
            // Writes the edge sent here just before the swap go to the candidate from now on, and the ones already
            // running end before the lease moves, so none of them is refused for want of it.
            var process = await edge.GetProcessAsync(candidate.ProcessId, cancellationToken);
            var successor = new HandoffSuccessor(new Uri(candidate.Url), PortClaim.Of(candidate.ProcessId, process?.Pid));
            var writesEnded = await readiness.HandOffWritesAsync(successor, WriteDrainBound, time);
            if (!writesEnded)
            {
                run.Log.Append($"handoff: admin writes still running after {ValidatePhase.Format(WriteDrainBound)}; releasing the lease anyway, they may be refused");
            }

            var marker = store.WriteHandoff(run.Id, candidate.Generation, candidate.ProcessId, release.Digest, self.Id, self.Url);
            run.Activated = true;
            leadership.Yield(store.ReleaseLease);
            readiness.MarkFollower();
            Note(run, $"handoff: marker written at {marker.WrittenAt:O} (expects digest {release.Digest}); lease released");
            Log.HandedOver(logger, run.Id, candidate.ProcessId);
            FaultInjection.At("after:handoff-marker");
            return await AwaitHandoffAsync(run, candidate, self, started);
        }
        catch (Exception e) when (!run.Activated)
        {
            var cancelled = e is OperationCanceledException && cancellationToken.IsCancellationRequested;
            var (status, exitCode, summary) = e switch
            {
                _ when cancelled => (DeploymentStatus.Cancelled, (int?)null, $"cancelled during {journal.CurrentPhase(run)}"),
                DeployFailedException failed => (DeploymentStatus.Failed, failed.ExitCode ?? 1, $"{failed.Phase}: {failed.Summary}"),
                _ => (DeploymentStatus.Failed, 1, $"internal error: {e.Message}"),
            };
            if (e is not (DeployFailedException or OperationCanceledException))
            {
                Log.Crashed(logger, run.Id, e);
            }

            run.Log.Append($"{summary}; this control plane keeps serving and keeps the lease");
            if (swapped && self is not null)
            {
                readiness.CancelHandOff();
                await RouteBackAsync(run, self);
            }

            if (candidate is not null)
            {
                await StopCandidateAsync(run, candidate);
                store.SetGenerationState(run.App, run.Env, candidate.Generation, GenerationState.Failed, deploymentId: run.Id);
            }

            return journal.Finish(run, status, exitCode, summary, started);
        }
    }

    /// <summary>
    /// Follower from here on: polls the store until the candidate completes the handoff, or takes everything back when
    /// the ceiling passes or the candidate dies. Never throws; the caller answers with what the store says.
    /// </summary>
    private async Task<Deployment> AwaitHandoffAsync(DeploymentRun run, Candidate candidate, TargetStatus self, long started)
    {
        var handedOverAt = time.GetTimestamp();
        var myHolder = LeaseHolder.Current;
        while (true)
        {
            try
            {
                var deployment = store.GetDeployment(run.Id)!;
                if (deployment.IsTerminal)
                {
                    var by = store.GetHandoff(run.Id)?.CompletedBy;
                    if (deployment.Status == DeploymentStatus.Succeeded)
                    {
                        // Answer once the new instance takes writes, so a caller's next request does not meet its recovery.
                        await WaitUntilReadyAsync(candidate);
                    }

                    Note(run, deployment.Status == DeploymentStatus.Succeeded
                        ? $"handoff: completed by {candidate.ProcessId} ({by}); this instance ({self.Id}) answers and drains"
                        : $"handoff: the deployment ended {StoreNames.ToText(deployment.Status)}: {deployment.ErrorSummary}");
                    return deployment;
                }

                var elapsed = time.GetElapsedTime(handedOverAt);
                var reason = elapsed >= options.HandoffCeiling
                    ? $"the new instance did not complete the handoff within {ValidatePhase.Format(options.HandoffCeiling)}"
                    : await CandidateGoneAsync(candidate, myHolder);
                if (reason is not null)
                {
                    if (leadership.Reclaim(() => store.TryAcquireLease(options.LeaseDuration, LeaseHolder.IsGone)))
                    {
                        return await TakeBackAsync(run, candidate, self, reason, started);
                    }

                    if (elapsed >= options.HandoffCeiling + (2 * options.LeaseDuration))
                    {
                        // The candidate holds a live lease but has not completed: it leads now, and its recovery ends the deployment.
                        Note(run, $"handoff: {reason}, and the new instance holds the lease; its recovery decides the outcome");
                        return deployment;
                    }
                }
            }
            catch (Exception e) when (e is StoreException or EdgeUnavailableException)
            {
                Log.HandoffPollFailed(logger, run.Id, e.Message);
            }

            await Task.Delay(PollInterval, time, CancellationToken.None);
        }
    }

    private async Task WaitUntilReadyAsync(Candidate candidate)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(15);
        while (time.GetUtcNow() < deadline)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await http.GetAsync(candidate.Url + "/readyz", timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Not answering yet; retry until the deadline.
            }

            await Task.Delay(PollInterval, time, CancellationToken.None);
        }
    }

    private async Task<Deployment> TakeBackAsync(DeploymentRun run, Candidate candidate, TargetStatus self, string reason, long started)
    {
        if (store.GetDeployment(run.Id) is { IsTerminal: true } done)
        {
            // Completed, then the new instance died: its supervisor restarts it and it leads again; give the lease back.
            leadership.Yield(store.ReleaseLease);
            return done;
        }

        readiness.MarkReady();
        Note(run, $"handoff failed: {reason}; routing the admin listener back to {self.Id} and taking the lease back");
        await RouteBackAsync(run, self);
        await StopCandidateAsync(run, candidate);
        var summary = $"handoff: {reason}; the previous control plane ({self.Id}) serves again and holds the lease";
        journal.AbortHandoff(run, summary, started);
        Log.TookBack(logger, run.Id, reason);
        return store.GetDeployment(run.Id)!;
    }

    private async Task<string?> CandidateGoneAsync(Candidate candidate, string myHolder)
    {
        var lease = store.ReadLease();
        if (lease is not null && lease.Holder != myHolder && LeaseHolder.IsGone(lease.Holder))
        {
            return $"the new instance ({lease.Holder}) died after taking the lease";
        }

        var process = await runtimes.ForInstance(candidate.ProcessId).GetStateAsync(candidate.ProcessId, CancellationToken.None);
        return process switch
        {
            null => $"the new instance {candidate.ProcessId} is gone from the edge",
            { Restarts: > 0 } or { Running: false } =>
                $"the new instance {candidate.ProcessId} exited (code {process.LastExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) before completing the handoff",
            _ => null,
        };
    }

    private async Task<TargetStatus> SelfTargetAsync(CancellationToken cancellationToken)
    {
        var own = OwnUrl();
        var admin = await edge.GetServiceAsync(SelfApp.AdminService, cancellationToken)
            ?? throw new DeployFailedException(DeploymentPhase.Source, $"the edge has no '{SelfApp.AdminService}' service: self-deploy needs the control plane behind `slipway up`'s admin listener", 2);
        return admin.Targets.FirstOrDefault(t => string.Equals(t.Url.TrimEnd('/'), own, StringComparison.Ordinal))
            ?? throw new DeployFailedException(DeploymentPhase.Source,
                $"the edge's admin listener routes to {string.Join(", ", admin.Targets.Select(t => t.Url))}, not to this instance ({own}); send self-deploy through the admin listener", 2);
    }

    private Task<SetTargetsResult> SwapAdminRouteAsync(string id, string url, CancellationToken cancellationToken) =>
        edge.SetTargetsAsync(SelfApp.AdminService, new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = id, Url = url }],
            DeployTimeoutMs = 30_000,
            // The synchronous self-deploy request is in flight on the replaced instance; it answers only when the handoff ends.
            DrainTimeoutMs = ServiceNames.Milliseconds(options.HandoffCeiling + options.DrainSlack),
            WaitForDrain = false,
            RequiredPasses = 1,
        }, cancellationToken);

    private async Task RouteBackAsync(DeploymentRun run, TargetStatus self)
    {
        try
        {
            await SwapAdminRouteAsync(self.Id, self.Url, CancellationToken.None);
            Note(run, $"the admin listener routes to {self.Id} again");
        }
        catch (EdgeUnavailableException e)
        {
            Note(run, $"could not route the admin listener back to {self.Id}: {e.Message}; recovery repairs it");
        }
    }

    private async Task StopCandidateAsync(DeploymentRun run, Candidate candidate)
    {
        try
        {
            await runtimes.ForInstance(candidate.ProcessId).StopAsync(candidate.ProcessId, TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        catch (EdgeUnavailableException e)
        {
            Note(run, $"could not stop candidate {candidate.ProcessId}: {e.Message}; recovery will stop it");
        }
    }

    private IReadOnlyDictionary<string, string> TakeCandidateEnvironment(string id)
    {
        lock (CandidateEnvironment)
        {
            return CandidateEnvironment.Remove(id, out var env) ? env : new Dictionary<string, string>();
        }
    }

    /// <summary>A log line while this instance may not hold the lease: the file gets it even when the journal cannot.</summary>
    private static void Note(DeploymentRun run, string line)
    {
        try
        {
            run.Log.Append(line);
        }
        catch (StoreException)
        {
            // Follower: the deploy.log event is not journaled; the line is already in the deployment's log file.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Self-deploy {Id}: handed the lease to {ProcessId}; waiting for it to complete the handoff")]
        public static partial void HandedOver(ILogger logger, string id, string processId);

        [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Self-deploy {Id}: {Reason}; took the lease and the admin route back")]
        public static partial void TookBack(ILogger logger, string id, string reason);

        [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Self-deploy {Id}: polling the handoff failed: {Reason}")]
        public static partial void HandoffPollFailed(ILogger logger, string id, string reason);

        [LoggerMessage(EventId = 703, Level = LogLevel.Error, Message = "Self-deploy {Id} hit an unexpected error")]
        public static partial void Crashed(ILogger logger, string id, Exception exception);
    }
}
