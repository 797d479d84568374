using Slipway.ControlPlane.Hosting;
using Slipway.ControlPlane.SelfDeploy;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

/// <summary>Self-deploy handoff markers: completing is one transaction and idempotent; aborting never undoes a completion.</summary>
public sealed class SlipwayStoreHandoffsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private (SlipwayStore Store, Deployment Deployment, Generation Generation) HandingOver()
    {
        var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        store.UpsertApp(SelfApp.Name, "app: slipway\n");
        var release = store.RecordRelease(new Release
        {
            Id = "r1", App = SelfApp.Name, Revision = "4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e", Digest = "sha256:aa", BuiltAt = _time.GetUtcNow(),
            Path = "/releases/slipway/r1", ManifestJson = "{}",
        });
        var deployment = store.CreateDeployment(new NewDeployment { App = SelfApp.Name, Env = SelfApp.Env, Kind = DeploymentKind.Deploy });
        store.StartDeployment(deployment.Id);
        var generation = store.CreateGeneration(SelfApp.Name, SelfApp.Env, release.Id, 5000, deployment.Id);
        store.SetGenerationState(SelfApp.Name, SelfApp.Env, generation.Number, GenerationState.Validating, "slipway-prod-g1", 5000, deployment.Id);
        store.SetDeploymentPhase(deployment.Id, DeploymentPhase.Handoff, release.Id, generation.Number);
        store.WriteHandoff(deployment.Id, generation.Number, "slipway-prod-g1", "sha256:aa", "slipway", "http://127.0.0.1:4000");
        return (store, deployment, generation);
    }

    [Fact]
    public void CompleteHandoff_SeenTwice_CompletesOnce()
    {
        var (store, deployment, generation) = HandingOver();
        using (store)
        {
            Assert.True(store.CompleteHandoff(deployment.Id, "host/1/1", null));
            var events = store.ReadEvents(0);
            var seq = events[^1].Seq;
            Assert.False(store.CompleteHandoff(deployment.Id, "host/2/2", null));

            Assert.Empty(store.ReadEvents(seq));
            Assert.Equal(DeploymentStatus.Succeeded, store.GetDeployment(deployment.Id)!.Status);
            Assert.Equal(generation.Number, store.GetPointers(SelfApp.Name, SelfApp.Env).Current);
            Assert.Equal("host/1/1", store.GetHandoff(deployment.Id)!.CompletedBy);
        }
    }

    [Fact]
    public void AbortHandoff_AfterCompletion_ChangesNothing()
    {
        var (store, deployment, _) = HandingOver();
        using (store)
        {
            store.CompleteHandoff(deployment.Id, "host/1/1", null);

            Assert.False(store.AbortHandoff(deployment.Id, "too late", null));
            Assert.Equal(DeploymentStatus.Succeeded, store.GetDeployment(deployment.Id)!.Status);
            Assert.Null(store.GetHandoff(deployment.Id)!.AbortedAt);
        }
    }

    [Fact]
    public void AbortHandoff_Open_FailsDeploymentAndCandidateAndBlocksCompletion()
    {
        var (store, deployment, generation) = HandingOver();
        using (store)
        {
            Assert.True(store.AbortHandoff(deployment.Id, "handoff: ceiling passed", 1000));

            Assert.Equal(DeploymentStatus.Failed, store.GetDeployment(deployment.Id)!.Status);
            Assert.Equal(GenerationState.Failed, store.GetGeneration(SelfApp.Name, SelfApp.Env, generation.Number)!.State);
            Assert.False(store.CompleteHandoff(deployment.Id, "host/1/1", null));
            Assert.Null(store.GetPointers(SelfApp.Name, SelfApp.Env).Current);
        }
    }

    [Fact]
    public void DefaultSpecYaml_ParsesWithTheInstancesSettings()
    {
        var spec = AppSpecParser.Parse(SelfApp.DefaultSpecYaml(new ControlPlaneOptions { Home = _dir.Path, Ports = "35100-35199" }, "/src/slipway", "main"), "slipway.yml");

        Assert.Equal(SelfApp.Name, spec.App);
        Assert.Equal("/src/slipway", spec.Source!.Git);
        Assert.Contains("--ports 35100-35199", spec.Run!.Command, StringComparison.Ordinal);
        Assert.Contains("--listen 127.0.0.1:$PORT", spec.Run.Command, StringComparison.Ordinal);
        Assert.Equal("/readyz", spec.Probes.Ready);
    }
}
