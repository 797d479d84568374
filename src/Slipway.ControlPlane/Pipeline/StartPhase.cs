using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Runtime;
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

        var environment = new Dictionary<string, string>(run.Spec.Env, StringComparer.Ordinal)
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLIPWAY_APP"] = run.App,
            ["SLIPWAY_ENV"] = run.Env,
            ["SLIPWAY_GENERATION"] = generation.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLIPWAY_RELEASE"] = release.Id,
            ["SLIPWAY_REVISION"] = release.Revision ?? "",
            ["SLIPWAY_DIGEST"] = release.Digest,
            ["SLIPWAY_RELEASE_MANIFEST"] = Path.Combine(release.Path, Release.ReleaseManifest.FileName),
        };

        run.Log.Append($"start: generation {generation.Number} of {run.App}/{run.Env} on 127.0.0.1:{port}: {command}");
        try
        {
            await edge.StartProcessAsync(new ProcessDefinition
            {
                Id = candidate.ProcessId,
                Command = command,
                WorkingDirectory = release.Path,
                Environment = environment,
                Port = port,
                StopGraceMs = ServiceNames.Milliseconds(run.Spec.StopGrace),
                Restart = true,
            }, cancellationToken);
        }
        catch (EdgeUnavailableException e)
        {
            throw new DeployFailedException("start", $"the edge could not start the candidate: {e.Message}", null, e);
        }

        store.SetGenerationState(run.App, run.Env, generation.Number, GenerationState.Validating, candidate.ProcessId, port, run.Id);
        return candidate;
    }

    private HashSet<int> PortsInUse() =>
        store.ListLiveGenerations().Where(g => g.Port is not null).Select(g => g.Port!.Value).ToHashSet();
}
