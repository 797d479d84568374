using System.Text.Json;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Tests.Store;

public sealed class DeploymentPhaseTests
{
    [Fact]
    public void Parse_KnownName_IsThatPhase()
    {
        Assert.Same(DeploymentPhase.Activate, DeploymentPhase.Parse("activate"));
        Assert.Equal(["queued", "secrets", "source", "build", "release", "migrate", "start", "validate", "rollout", "activate", "handoff", "drain", "done"],
            DeploymentPhase.All.Select(p => p.Name));
    }

    [Fact]
    public void Parse_UnknownName_KeepsItAndEqualsNoPhase()
    {
        var other = DeploymentPhase.Parse("warmup");

        Assert.Equal("warmup", other.ToString());
        Assert.DoesNotContain(other, DeploymentPhase.All);
        Assert.Equal(other, DeploymentPhase.Parse("warmup"));
    }

    [Fact]
    public void Json_ValueAndKey_AreTheName()
    {
        var json = JsonSerializer.Serialize(new { phase = DeploymentPhase.Build, times = new Dictionary<DeploymentPhase, int> { [DeploymentPhase.Source] = 1 } });

        Assert.Equal("{\"phase\":\"build\",\"times\":{\"source\":1}}", json);
        Assert.Same(DeploymentPhase.Drain, JsonSerializer.Deserialize<DeploymentPhase>("\"drain\""));
    }
}
