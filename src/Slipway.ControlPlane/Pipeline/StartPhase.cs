using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// Starts a candidate generation of a release in its app's runtime (a process under the edge's supervisor, or a
/// container), on its own port, with the environment of docs/architecture.md §8. The generation is journaled before
/// the runtime starts it, so recovery can always find (and stop) what this phase started.
/// </summary>
internal sealed class StartPhase(AppRuntimes runtimes, SlipwayStore store, PortAllocator ports, TimeProvider time)
{
    public async Task<Candidate> StartAsync(DeploymentRun run, Store.Release release, CancellationToken cancellationToken)
    {
        var runtime = runtimes.For(run.Spec.Runtime);
        // Before a port and a generation are taken: a spec with nothing to run fails here.
        var what = runtime.Describe(run.Spec, release);

        var port = ports.Allocate(PortsInUse(), time.GetUtcNow());
        var generation = store.CreateGeneration(run.App, run.Env, release.Id, port, run.Id);
        var candidate = new Candidate(run.App, run.Env, (int)generation.Number, Candidate.ProcessIdFor(run.App, run.Env, (int)generation.Number), port, release.Id);
        run.Candidate = candidate;

        var environment = Environment(run.Spec, run.Env, generation.Number, release, port);

        run.Log.Append($"start: generation {generation.Number} of {run.App}/{run.Env} on 127.0.0.1:{port}: {what}");
        // A second of slack: the engine's start timestamp and ours come from different clocks' roundings.
        var startedAfter = time.GetUtcNow() - TimeSpan.FromSeconds(1);
        var instance = await runtime.StartAsync(new RuntimeStart
        {
            Spec = run.Spec, Env = run.Env, Generation = generation.Number, Release = release, Port = port, Environment = environment,
            Secrets = run.Secrets, Log = run.Log.Append,
        }, cancellationToken);
        // Validation checks the image where the runtime pins one, and the start time where it reports one (a container's).
        candidate = candidate with { ProcessId = instance.Id, ImageId = instance.ImageId, StartedAfter = startedAfter, Replicas = run.Spec.Swarm?.Replicas ?? 1 };
        run.Candidate = candidate;

        store.SetGenerationState(run.App, run.Env, generation.Number, GenerationState.Validating, candidate.ProcessId, port, run.Id);
        return candidate;
    }

    private HashSet<int> PortsInUse() =>
        store.ListLiveGenerations().Where(g => g.Port is not null).Select(g => g.Port!.Value).ToHashSet();

    /// <summary>The environment of docs/architecture.md §8 that every generation gets on top of the spec's <c>env</c>.</summary>
    public static Dictionary<string, string> Environment(AppSpec spec, string env, long generation, Store.Release release, int port) =>
        new(spec.Env, StringComparer.Ordinal)
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
}
