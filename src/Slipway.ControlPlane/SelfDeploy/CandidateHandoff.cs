using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Reliability;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// The new instance's side of a self-deploy handoff, and what every instance does about self-deploys when it becomes
/// the leader. A candidate (started with <see cref="SelfApp.DeploymentVariable"/>) takes the lease only once the
/// marker of its deployment is written, names its digest, and was written after this process started (a process the
/// supervisor restarted later is not the one that was validated); it then completes the handoff in one transaction.
/// Completing is idempotent: a marker seen twice completes once.
/// </summary>
internal sealed partial class CandidateHandoff(SlipwayStore store, IEdgeGateway edge, SelfDeployOptions options, string logsRoot, TimeProvider time, ILogger<CandidateHandoff> logger)
{
    private readonly string? _deployment = Environment.GetEnvironmentVariable(SelfApp.DeploymentVariable) is { Length: > 0 } id ? id : null;
    private readonly DateTimeOffset _startedAt = new(Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero);
    private string? _lastRefusal;

    /// <summary>The digest this instance serves at <c>/version</c>.</summary>
    public required string OwnDigest { get; init; }

    /// <summary>This instance's admin URL (known once Kestrel has bound).</summary>
    public required Func<string> OwnUrl { get; init; }

    public bool IsCandidate => _deployment is not null;

    /// <summary>This process's id under the edge's supervisor: <c>slipway-prod-gN</c> for a deployed generation, else <c>slipway</c>.</summary>
    public static string OwnProcessId =>
        Environment.GetEnvironmentVariable("SLIPWAY_APP") == SelfApp.Name
        && long.TryParse(Environment.GetEnvironmentVariable("SLIPWAY_GENERATION"), CultureInfo.InvariantCulture, out var generation)
            ? Candidate.ProcessIdFor(SelfApp.Name, Environment.GetEnvironmentVariable("SLIPWAY_ENV") ?? SelfApp.Env, (int)generation)
            : SelfApp.AdminService;

    /// <summary>Whether this instance may try to take the lease now. Always true for an instance that is not a pending candidate.</summary>
    public bool MayTakeLease()
    {
        if (_deployment is null || store.GetDeployment(_deployment) is not { } deployment || deployment.Status == DeploymentStatus.Succeeded)
        {
            return true;
        }

        var refusal = deployment.IsTerminal
            ? $"self deployment {_deployment} ended {StoreNames.ToText(deployment.Status)}; this candidate never leads"
            : store.GetHandoff(_deployment) is not { } marker ? null // validating, or waiting for the swap: not yet
            : !marker.IsOpen ? "the handoff marker is already closed"
            : marker.ExpectedDigest != OwnDigest ? $"the marker expects digest {marker.ExpectedDigest}, this instance is {OwnDigest}"
            : marker.ProcessId != OwnProcessId ? $"the marker names {marker.ProcessId}, this instance is {OwnProcessId}"
            : _startedAt >= marker.WrittenAt ? $"this process started at {_startedAt:O}, after the marker ({marker.WrittenAt:O}): it is not the validated instance"
            : "";
        if (refusal is null || refusal.Length == 0)
        {
            return refusal is not null;
        }

        if (refusal != _lastRefusal)
        {
            Log.Refused(logger, _deployment, refusal);
            _lastRefusal = refusal;
        }

        return false;
    }

    /// <summary>Right after this instance took the lease: completes its own pending handoff. True when it did (this time).</summary>
    public bool CompleteIfCandidate()
    {
        if (_deployment is null || store.GetHandoff(_deployment) is not { IsOpen: true })
        {
            return false;
        }

        FaultInjection.At("after:handoff-lease");
        var completed = store.CompleteHandoff(_deployment, LeaseHolder.Current, null);
        if (completed)
        {
            // Journal only: the replaced instance still writes the deployment's log file, and says the same there.
            var line = $"handoff: completed by {OwnProcessId} ({LeaseHolder.Current}, digest {OwnDigest}, started {_startedAt:O}); deployment {_deployment} succeeded";
            TryJournal(_deployment, line);
            Log.Completed(logger, _deployment, OwnProcessId);
        }

        return completed;
    }

    /// <summary>
    /// Run by every instance that becomes the leader, before start-up recovery: a self deployment still running was
    /// interrupted (this instance is not its candidate, or it would have completed it), so the admin route comes back to
    /// this instance, the candidate stops and the deployment fails.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var deployment in store.ListUnfinishedDeployments().Where(d => d.App == SelfApp.Name))
        {
            var marker = store.GetHandoff(deployment.Id);
            await EnsureRoutedHereAsync(cancellationToken);
            var candidate = marker?.ProcessId ?? (deployment.Generation is { } g ? Candidate.ProcessIdFor(SelfApp.Name, deployment.Env, (int)g) : null);
            if (candidate is not null && candidate != OwnProcessId)
            {
                await edge.StopProcessAsync(candidate, TimeSpan.FromSeconds(10), cancellationToken);
            }

            var summary = $"{deployment.Phase}: interrupted: the control plane stopped during its self-deploy; {OwnProcessId} serves and holds the lease. Deploy again.";
            if (store.AbortHandoff(deployment.Id, summary, null))
            {
                AppendLogLine(deployment.Id, summary);
                Log.Interrupted(logger, deployment.Id, deployment.Phase);
            }
        }
    }

    /// <summary>
    /// Stops the instances that handed over, once the edge has drained them (the synchronous caller's request ends on
    /// the old instance), and records their generation stopped.
    /// </summary>
    public async Task StopHandedOverAsync(CancellationToken cancellationToken)
    {
        foreach (var marker in store.ListHandoffsWithOldRunning())
        {
            if (marker.OldProcessId == OwnProcessId)
            {
                continue;
            }

            var deadline = time.GetUtcNow() + options.HandoffCeiling + options.DrainSlack;
            while (time.GetUtcNow() < deadline)
            {
                var admin = await edge.GetServiceAsync(SelfApp.AdminService, cancellationToken);
                if (admin is null || admin.Draining.Concat(admin.Targets).All(t => t.Id != marker.OldProcessId))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }

            await edge.StopProcessAsync(marker.OldProcessId, TimeSpan.FromSeconds(30), cancellationToken);
            var old = store.ListGenerations(SelfApp.Name, SelfApp.Env).FirstOrDefault(g => g.ProcessId == marker.OldProcessId);
            if (old is { State: GenerationState.Warm or GenerationState.Active } && store.GetPointers(SelfApp.Name, SelfApp.Env).Current != old.Number)
            {
                store.SetGenerationState(SelfApp.Name, SelfApp.Env, old.Number, GenerationState.Stopped, deploymentId: marker.DeploymentId);
            }

            store.MarkHandoffOldStopped(marker.DeploymentId);
            AppendLogLine(marker.DeploymentId, $"handoff: {marker.OldProcessId} drained and stopped");
            Log.OldStopped(logger, marker.OldProcessId);
        }
    }

    private async Task EnsureRoutedHereAsync(CancellationToken cancellationToken)
    {
        var own = OwnUrl();
        var admin = await edge.GetServiceAsync(SelfApp.AdminService, cancellationToken);
        if (admin is null || (admin.Targets.Count == 1 && admin.Targets[0].Url.TrimEnd('/') == own))
        {
            return;
        }

        await edge.SetTargetsAsync(SelfApp.AdminService, new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = OwnProcessId, Url = own }],
            DeployTimeoutMs = 30_000,
            DrainTimeoutMs = ServiceNames.Milliseconds(options.DrainSlack),
            WaitForDrain = false,
            RequiredPasses = 1,
        }, cancellationToken);
        Log.RoutedBack(logger, OwnProcessId);
    }

    private void TryJournal(string deploymentId, string line)
    {
        try
        {
            store.AppendEvent(EventTypes.DeployLog, SelfApp.Name, SelfApp.Env, deploymentId, new { line });
        }
        catch (StoreException e)
        {
            Log.LogLineFailed(logger, deploymentId, e.Message);
        }
    }

    private void AppendLogLine(string deploymentId, string line)
    {
        try
        {
            var path = Path.Combine(logsRoot, "deployments", deploymentId + ".log");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, line + "\n");
            store.AppendEvent(EventTypes.DeployLog, SelfApp.Name, SelfApp.Env, deploymentId, new { line });
        }
        catch (Exception e) when (e is IOException or StoreException)
        {
            Log.LogLineFailed(logger, deploymentId, e.Message);
        }
    }

    /// <summary>The digest in a manifest served at <c>/version</c>.</summary>
    public static string DigestOf(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            return document.RootElement.TryGetProperty("digest", out var digest) && digest.ValueKind == JsonValueKind.String ? digest.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Self-deploy {Id}: not taking the lease: {Reason}")]
        public static partial void Refused(ILogger logger, string id, string reason);

        [LoggerMessage(EventId = 711, Level = LogLevel.Information, Message = "Self-deploy {Id}: handoff completed by {ProcessId}")]
        public static partial void Completed(ILogger logger, string id, string processId);

        [LoggerMessage(EventId = 712, Level = LogLevel.Warning, Message = "Self-deploy {Id} was interrupted during {Phase}; marked failed")]
        public static partial void Interrupted(ILogger logger, string id, DeploymentPhase phase);

        [LoggerMessage(EventId = 713, Level = LogLevel.Information, Message = "The previous control plane {ProcessId} drained and was stopped")]
        public static partial void OldStopped(ILogger logger, string processId);

        [LoggerMessage(EventId = 714, Level = LogLevel.Warning, Message = "The admin listener did not route to this instance; routed it to {ProcessId}")]
        public static partial void RoutedBack(ILogger logger, string processId);

        [LoggerMessage(EventId = 715, Level = LogLevel.Warning, Message = "Self-deploy {Id}: could not append to its log: {Reason}")]
        public static partial void LogLineFailed(ILogger logger, string id, string reason);
    }
}
