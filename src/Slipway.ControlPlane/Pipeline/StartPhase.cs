using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// Starts a candidate generation of a release through the edge's supervisor, on its own port, with the
/// environment of DESIGN §8. The generation is journaled before the process starts, so recovery can
/// always find (and stop) what this phase started.
/// </summary>
internal sealed class StartPhase(IEdgeGateway edge, SlipwayStore store, PortAllocator ports, TimeProvider time)
{
    public async Task<Candidate> StartAsync(DeploymentRun run, Store.Release release, CancellationToken cancellationToken)
    {
        var command = run.Spec.Run?.Command
            ?? throw new DeployFailedException("start", "the app has no run command: add `run: { command: ... }` to slipway.yml", null);
        var port = ports.Allocate(PortsInUse(), time.GetUtcNow());
        var generation = store.CreateGeneration(run.App, run.Env, release.Id, port, run.Id);
        var candidate = new Candidate(run.App, run.Env, (int)generation.Number, Candidate.ProcessIdFor(run.App, run.Env, (int)generation.Number), port, release.Id);
        run.Candidate = candidate;

        run.Log.Append($"start: generation {generation.Number} of {run.App}/{run.Env} on 127.0.0.1:{port}: {command}");
        try
        {
            await edge.StartProcessAsync(Definition(run.Spec, run.Env, generation.Number, release, port, candidate.ProcessId), cancellationToken);
        }
        catch (EdgeUnavailableException e)
        {
            throw new DeployFailedException("start", $"the edge could not start the candidate: {e.Message}", null, e);
        }

        store.SetGenerationState(run.App, run.Env, generation.Number, GenerationState.Validating, candidate.ProcessId, port, run.Id);
        return candidate;
    }

    /// <summary>
    /// The supervised process of a generation, with the environment of DESIGN §8. Also used by the reconciler to
    /// start a current generation again whose process the edge lost.
    /// </summary>
    public static ProcessDefinition Definition(AppSpec spec, string env, long generation, Store.Release release, int port, string processId)
    {
        var environment = new Dictionary<string, string>(spec.Env, StringComparer.Ordinal)
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLIPWAY_APP"] = spec.App,
            ["SLIPWAY_ENV"] = env,
            ["SLIPWAY_GENERATION"] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLIPWAY_RELEASE"] = release.Id,
            ["SLIPWAY_REVISION"] = release.Revision ?? "",
            ["SLIPWAY_DIGEST"] = release.Digest,
            ["SLIPWAY_RELEASE_MANIFEST"] = Path.Combine(release.Path, Release.ReleaseManifest.FileName),
        };
        return new ProcessDefinition
        {
            Id = processId,
            Command = spec.Run?.Command ?? "",
            WorkingDirectory = release.Path,
            Environment = environment,
            Port = port,
            StopGraceMs = ServiceNames.Milliseconds(spec.StopGrace),
            Restart = true,
        };
    }

    private HashSet<int> PortsInUse() =>
        store.ListLiveGenerations().Where(g => g.Port is not null).Select(g => g.Port!.Value).ToHashSet();
}
