using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Routing;
using Slipway.Edge.Services;

namespace Slipway.Edge.Tests.Routing;

public sealed class TargetSelectorTests
{
    private static readonly HealthCheckDefinition OnePass = new() { HealthyThreshold = 1 };

    internal static Target Healthy(string id)
    {
        var target = new Target(id, new Uri($"http://127.0.0.1:1/{id}"));
        target.RecordProbe(new ProbeResult { Target = id, Ok = true, Status = 200 }, OnePass);
        return target;
    }

    private static ServiceSnapshot Snapshot(IEnumerable<Target> active, IEnumerable<Target>? canary = null, int weight = 0, string? affinity = null) => new()
    {
        Name = "app",
        Definition = new ServiceDefinition { AffinityCookie = affinity },
        Active = [.. active],
        Canary = [.. canary ?? []],
        CanaryWeight = weight,
    };

    private static TargetSelection Select(ServiceSnapshot snapshot, Dictionary<string, string>? cookies = null, int roll = 0, Target? exclude = null)
    {
        var counter = 0;
        return TargetSelector.Select(snapshot, name => cookies is not null && cookies.TryGetValue(name, out var v) ? v : null, exclude, ref counter, _ => roll);
    }

    [Fact]
    public void Select_CanaryWeight_DecidesNewClientsAndSetsStickyCookie()
    {
        var snapshot = Snapshot([Healthy("stable")], [Healthy("canary")], weight: 10);

        var toCanary = Select(snapshot, roll: 9);
        var toStable = Select(snapshot, roll: 10);

        Assert.Equal("canary", toCanary.Target!.Id);
        Assert.Equal(new ResponseCookie("slipway-canary", "canary"), Assert.Single(toCanary.Cookies));
        Assert.Equal("stable", toStable.Target!.Id);
        Assert.Equal(new ResponseCookie("slipway-canary", "stable"), Assert.Single(toStable.Cookies));
    }

    [Fact]
    public void Select_CanaryCookie_KeepsClientOnItsSideWhateverTheRoll()
    {
        var snapshot = Snapshot([Healthy("stable")], [Healthy("canary")], weight: 50);

        var canary = Select(snapshot, new() { ["slipway-canary"] = "canary" }, roll: 99);
        var stable = Select(snapshot, new() { ["slipway-canary"] = "stable" }, roll: 0);

        Assert.Equal("canary", canary.Target!.Id);
        Assert.Empty(canary.Cookies);
        Assert.Equal("stable", stable.Target!.Id);
        Assert.Empty(stable.Cookies);
    }

    [Fact]
    public void Select_CanaryWithoutHealthyTarget_FallsBackToStable()
    {
        var sick = new Target("canary", new Uri("http://127.0.0.1:1"));
        var snapshot = Snapshot([Healthy("stable")], [sick], weight: 100);

        Assert.Equal("stable", Select(snapshot, new() { ["slipway-canary"] = "canary" }).Target!.Id);
    }

    [Fact]
    public void Select_AffinityCookie_SticksToItsTargetAndIsSetForNewClients()
    {
        var targets = new[] { Healthy("a"), Healthy("b"), Healthy("c") };
        var snapshot = Snapshot(targets, affinity: "sticky");

        var first = Select(snapshot);
        var cookie = Assert.Single(first.Cookies);
        Assert.Equal("sticky", cookie.Name);
        for (var i = 0; i < 5; i++)
        {
            var again = Select(snapshot, new() { ["sticky"] = cookie.Value });
            Assert.Same(first.Target, again.Target);
            Assert.Empty(again.Cookies);
        }
    }

    [Fact]
    public void Select_AffinityToGoneTarget_PicksAnotherAndResetsCookie()
    {
        var snapshot = Snapshot([Healthy("b")], affinity: "sticky");

        var selection = Select(snapshot, new() { ["sticky"] = "a" });

        Assert.Equal("b", selection.Target!.Id);
        Assert.Equal(new ResponseCookie("sticky", "b"), Assert.Single(selection.Cookies));
    }

    [Fact]
    public void Select_SkipsUnhealthyRetiredAndExcludedTargets()
    {
        var unknown = new Target("unknown", new Uri("http://127.0.0.1:1"));
        var retired = Healthy("retired");
        retired.Retire();
        var excluded = Healthy("excluded");
        var good = Healthy("good");
        var snapshot = Snapshot([unknown, retired, excluded, good]);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("good", Select(snapshot, exclude: excluded).Target!.Id);
        }

        Assert.Null(Select(Snapshot([unknown])).Target);
    }
}
