using Slipway.Edge.LoadBalancing;
using Slipway.Edge.Services;
using Slipway.Edge.Tests.Routing;

namespace Slipway.Edge.Tests.LoadBalancing;

public sealed class TargetPickerTests
{
    [Fact]
    public void Pick_RoundRobin_CyclesThroughTargets()
    {
        var targets = new[] { TargetSelectorTests.Healthy("a"), TargetSelectorTests.Healthy("b"), TargetSelectorTests.Healthy("c") };
        var counter = 0;

        var picks = Enumerable.Range(0, 6).Select(_ => TargetPicker.Pick(targets, LoadBalancingPolicy.RoundRobin, ref counter)!.Id).ToList();

        Assert.Equal(["b", "c", "a", "b", "c", "a"], picks);
    }

    [Fact]
    public void Pick_LeastInFlight_PicksTheIdlestTarget()
    {
        var busy = TargetSelectorTests.Healthy("busy");
        var idle = TargetSelectorTests.Healthy("idle");
        var medium = TargetSelectorTests.Healthy("medium");
        for (var i = 0; i < 3; i++)
        {
            busy.TryEnter();
        }

        medium.TryEnter();
        var counter = 0;

        for (var i = 0; i < 4; i++)
        {
            Assert.Same(idle, TargetPicker.Pick([busy, idle, medium], LoadBalancingPolicy.LeastInFlight, ref counter));
        }

        idle.TryEnter();
        idle.TryEnter();
        Assert.Same(medium, TargetPicker.Pick([busy, idle, medium], LoadBalancingPolicy.LeastInFlight, ref counter));
    }

    [Fact]
    public void Pick_NoCandidates_ReturnsNull()
    {
        var counter = 0;
        Assert.Null(TargetPicker.Pick(Array.Empty<Target>(), LoadBalancingPolicy.RoundRobin, ref counter));
    }

    [Theory]
    [InlineData("round-robin", nameof(LoadBalancingPolicy.RoundRobin))]
    [InlineData("least-in-flight", nameof(LoadBalancingPolicy.LeastInFlight))]
    public void Parse_KnownNames_MapToPolicies(string name, string expected) =>
        Assert.Equal(expected, TargetPicker.Parse(name).ToString());
}
