using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// <c>runtime: process</c>: the generation is a child of the edge's supervisor, which restarts it with backoff; the
/// reconciler restarts one that stays unhealthy or that the edge lost. Its id is <c>APP-ENV-gN</c>, known before it starts.
/// </summary>
internal sealed partial class ProcessRuntime(IEdgeGateway edge, SlipwayStore store) : IAppRuntime
{
    public const string OrphanStopped = "recovery.orphan_stopped";

    public RuntimeKind Kind => RuntimeKind.Process;

    public Liveness Liveness { get; } = new() { KeptBy = "edge", RestartsUnhealthy = true, RecreatesMissing = true };

    public bool RunsReleaseTree => true;

    public bool Owns(string instanceId) => GenerationProcess().IsMatch(instanceId);

    public Task<Store.Release> PrepareAsync(AppSpec spec, Store.Release release, Action<string> log, CancellationToken cancellationToken) =>
        Task.FromResult(release);

    public string Describe(AppSpec spec, Store.Release release) =>
        spec.Run?.Command ?? throw NoRunCommand();

    public async Task<StartedInstance> StartAsync(RuntimeStart start, CancellationToken cancellationToken)
    {
        if (start.Spec.Run?.Command is null)
        {
            throw NoRunCommand();
        }

        var id = Candidate.ProcessIdFor(start.Spec.App, start.Env, (int)start.Generation);
        try
        {
            await edge.StartProcessAsync(Definition(start, id), cancellationToken);
        }
        catch (EdgeUnavailableException e)
        {
            throw new DeployFailedException(DeploymentPhase.Start, $"the edge could not start the candidate: {e.Message}", null, e);
        }

        return new StartedInstance(id);
    }

    public static ProcessDefinition Definition(RuntimeStart start, string id) => new()
    {
        Id = id,
        Command = start.Spec.Run?.Command ?? "",
        WorkingDirectory = start.Release.Path,
        Environment = start.Environment,
        // The edge injects these, persists them only sealed and masks them in the process's log file.
        Secrets = start.Secrets.Count > 0 ? start.Secrets : null,
        Port = start.Port,
        StopGraceMs = ServiceNames.Milliseconds(start.Spec.StopGrace),
        Restart = true,
        // The control plane deploying itself: the candidate is Slipway and needs Slipway's configuration.
        SlipwayOwn = start.Spec.App == SelfDeploy.SelfApp.Name,
    };

    public Task<IReadOnlyList<TargetDefinition>> TargetsAsync(string instanceId, int port, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TargetDefinition>>([new TargetDefinition { Id = instanceId, Url = $"http://127.0.0.1:{port}" }]);

    public async Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken) =>
        await edge.GetProcessAsync(instanceId, cancellationToken) is { } process ? StateOf(process) : null;

    private static InstanceState StateOf(ProcessStatus process) => new()
    {
        State = process.State,
        StateText = WireName.Of(process.State),
        // Backoff and stopping are the supervisor's business; exited or stopped it will not restart by itself.
        EndedReason = process.State is ProcessState.Exited or ProcessState.Stopped
            ? $"its process {WireName.Of(process.State)} (exit code {process.LastExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"})"
            : null,
        Restarts = process.Restarts,
        LastExitCode = process.LastExitCode,
        Pid = process.Pid,
    };

    public Task<string> TailAsync(string instanceId, int lines, CancellationToken cancellationToken) =>
        edge.TailProcessAsync(instanceId, lines, cancellationToken);

    public Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken) =>
        edge.StopProcessAsync(instanceId, grace, cancellationToken);

    /// <summary>Release trees are pruned by the pipeline for every runtime; a process has nothing else.</summary>
    public Task PruneAsync(AppSpec spec, Action<string> log, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every process is started with <c>Restart = true</c>: the supervisor keeps it alive from the start.</summary>
    public Task KeepAliveAsync(string instanceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<bool> RestartAsync(RuntimeRestart restart, CancellationToken cancellationToken)
    {
        var process = await edge.GetProcessAsync(restart.InstanceId, cancellationToken);
        // The edge never hands secrets back, so they are added again from the store (as they are now).
        var secrets = restart.Secrets.Count > 0 ? restart.Secrets : null;
        var definition = process?.Definition is { Command.Length: > 0 } known
            ? known with { Secrets = secrets }
            : restart.Release is { } release
                ? Definition(new RuntimeStart
                {
                    Spec = restart.Spec, Env = restart.Generation.Env, Generation = restart.Generation.Number, Release = release, Port = restart.Port,
                    Environment = StartPhase.Environment(restart.Spec, restart.Generation.Env, restart.Generation.Number, release, restart.Port),
                    Secrets = restart.Secrets,
                }, restart.InstanceId)
                : null;
        if (definition is null)
        {
            return false;
        }

        if (process is not null)
        {
            await edge.StopProcessAsync(restart.InstanceId, TimeSpan.FromMilliseconds(definition.StopGraceMs), cancellationToken);
        }

        await edge.StartProcessAsync(definition, cancellationToken);
        return true;
    }

    /// <summary>A process id is <c>APP-ENV-gN</c> from the start, so stopping that id stopped it already.</summary>
    public Task StopUnrecordedAsync(Generation generation, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A warm generation whose process is gone can no longer give an instant rollback, so it is stopped in the store;
    /// app processes (<c>APP-ENV-gN</c>) the edge supervises but no live generation owns are stopped and journaled.
    /// </summary>
    public async Task<int> RecoverAsync(ILogger logger, CancellationToken cancellationToken)
    {
        var processes = (await edge.ListProcessesAsync(cancellationToken)).ToDictionary(p => p.Id, StringComparer.Ordinal);
        foreach (var generation in store.ListLiveGenerations())
        {
            var id = generation.ProcessId ?? Candidate.ProcessIdFor(generation.App, generation.Env, (int)generation.Number);
            if (generation.State == GenerationState.Warm && Owns(id) && !processes.ContainsKey(id))
            {
                store.SetGenerationState(generation.App, generation.Env, generation.Number, GenerationState.Stopped);
            }
        }

        var live = store.ListLiveGenerations()
            .Select(g => g.ProcessId ?? Candidate.ProcessIdFor(g.App, g.Env, (int)g.Number))
            .ToHashSet(StringComparer.Ordinal);
        var stopped = 0;
        foreach (var process in processes.Values)
        {
            if (!Owns(process.Id) || live.Contains(process.Id))
            {
                continue;
            }

            await edge.StopProcessAsync(process.Id, TimeSpan.FromSeconds(5), cancellationToken);
            store.AppendEvent(OrphanStopped, null, null, null, new { processId = process.Id, pid = process.Pid });
            Log.OrphanStopped(logger, process.Id);
            stopped++;
        }

        return stopped;
    }

    private static DeployFailedException NoRunCommand() =>
        new(DeploymentPhase.Start, "the app has no run command: add `run: { command: ... }` to slipway.yml", null);

    [GeneratedRegex("^[a-z][a-z0-9-]*-g[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex GenerationProcess();

    private static partial class Log
    {
        [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Stopped orphan process {ProcessId}: no live generation owns it")]
        public static partial void OrphanStopped(ILogger logger, string processId);
    }
}
