using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Persistence;
using Slipway.Edge.Services;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Services;

public sealed class ServiceRegistryTests
{
    private static ServiceDefinition Definition(Func<ServiceDefinition, ServiceDefinition>? change = null)
    {
        var definition = new ServiceDefinition { Routes = [new RouteDefinition { Host = "*", Path = "/" }], Health = EdgeServer.FastHealth };
        return change is null ? definition : change(definition);
    }

    [Fact]
    public async Task SetTargetsAsync_RequiredPassesOne_SwapsAfterTheFirstProbeDespiteAHigherThreshold()
    {
        await using var edge = await EdgeServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("validated");
        // After the first healthy result the next probe is a minute away, so the count at the swap is exact.
        edge.Registry.Upsert("app", Definition(d => d with { Health = d.Health with { HealthyThreshold = 3, IntervalMs = 60_000 } }));

        var result = await edge.Registry.SetTargetsAsync(
            "app", EdgeServer.Targets([backend]) with { RequiredPasses = 1 }, CancellationToken.None);

        Assert.Equal(["validated"], result.Activated);
        Assert.Equal(1, backend.HealthProbes);
        using var response = await edge.Client.GetAsync("/", CancellationToken.None);
        Assert.Equal("validated", await response.Content.ReadAsStringAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SetTargetsAsync_RequiredPassesZero_RejectedNamingTheField()
    {
        await using var edge = await EdgeServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("b");
        edge.Registry.Upsert("app", Definition());

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([backend]) with { RequiredPasses = 0 }, CancellationToken.None));

        Assert.Equal("requiredPasses", error.ParamName);
    }

    [Fact]
    public async Task SetTargetsAsync_TwentySwapsUnderLoad_NoRequestFailsAndEveryAnswerComesFromARoutedTarget()
    {
        await using var edge = await EdgeServer.StartAsync();
        var first = await TestBackend.StartAsync("g0");
        var clock = Stopwatch.StartNew();
        var backends = new List<TestBackend> { first };
        var windows = new ConcurrentDictionary<string, (long From, long Until)>();
        windows["g0"] = (0, long.MaxValue);
        await edge.AddServiceAsync("app", [first]);

        var failures = new ConcurrentQueue<string>();
        var answers = new ConcurrentQueue<(double Start, double End, string Backend)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var completed = 0;
        var slowCompleted = 0;
        var clients = Enumerable.Range(0, 32).Select(n => Task.Run(async () =>
        {
            var slow = n % 4 == 0;
            while (!stop.IsCancellationRequested)
            {
                var path = slow ? $"/slow?ms={300 + Random.Shared.Next(500)}" : "/";
                var start = clock.Elapsed.TotalMilliseconds;
                try
                {
                    using var response = await edge.Client.GetAsync(path, CancellationToken.None);
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{path}: {(int)response.StatusCode} {body}");
                        continue;
                    }

                    answers.Enqueue((start, clock.Elapsed.TotalMilliseconds, body));
                    Interlocked.Increment(ref completed);
                    if (slow)
                    {
                        Interlocked.Increment(ref slowCompleted);
                    }
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"{path}: {ex.GetType().Name} {ex.Message}");
                }
            }
        })).ToList();

        var current = first;
        for (var generation = 1; generation <= 20; generation++)
        {
            var next = await TestBackend.StartAsync($"g{generation}");
            backends.Add(next);
            windows[next.Id] = (Stopwatch.GetTimestamp(), long.MaxValue);
            var result = await edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([next], drainMs: 10_000), CancellationToken.None);
            windows[current.Id] = (windows[current.Id].From, Stopwatch.GetTimestamp());

            Assert.Equal([next.Id], result.Activated);
            Assert.Equal([current.Id], result.Drained);
            Assert.Equal(0, result.AbortedAtDeadline);

            // The drained generation really goes away, as its process would.
            await current.DisposeAsync();
            current = next;
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);
        await current.DisposeAsync();

        Assert.Empty(failures);
        Assert.True(slowCompleted > 20, $"only {slowCompleted} slow requests completed");
        Assert.All(answers, answer => Assert.True(windows.ContainsKey(answer.Backend), $"answer from unknown backend '{answer.Backend}'"));

        // Each backend received requests only between the start of the swap that brought it in and the end
        // of the drain that took it out: while it was active or draining.
        foreach (var backend in backends)
        {
            var window = windows[backend.Id];
            Assert.All(backend.Arrivals, at => Assert.InRange(at, window.From, window.Until));
        }
    }

    [Fact]
    public async Task SetTargetsAsync_NewTargetsNeverHealthy_RefusedAndOldTargetsKeepServing()
    {
        await using var old = await TestBackend.StartAsync("old");
        await using var sick = await TestBackend.StartAsync("sick");
        sick.Healthy = false;
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [old]);

        var error = await Assert.ThrowsAsync<TargetsNotHealthyException>(() =>
            edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([sick], deployMs: 800), CancellationToken.None));

        Assert.Contains("sick", error.Message, StringComparison.Ordinal);
        Assert.Contains("answered 503", error.Message, StringComparison.Ordinal);
        var probe = Assert.Single(error.LastProbes);
        Assert.Equal("sick", probe.Target);
        Assert.False(probe.Ok);
        Assert.Equal(503, probe.Status);
        Assert.Equal("old", Assert.Single(edge.Registry.Get("app")!.Targets).Id);
        Assert.Equal("old", await edge.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task SetTargetsAsync_SameSetAgain_IsANoOp()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);

        var again = await edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([a]), CancellationToken.None);

        Assert.Empty(again.Activated);
        Assert.Empty(again.Drained);
    }

    [Fact]
    public async Task SetTargetsAsync_TargetInBothSets_IsKeptNotDrained()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);

        var result = await edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([a, b]), CancellationToken.None);

        Assert.Equal(["b"], result.Activated);
        Assert.Empty(result.Drained);
        Assert.Equal(["a", "b"], edge.Registry.Get("app")!.Targets.Select(t => t.Id).Order());
    }

    [Fact]
    public async Task SetTargetsAsync_WithoutWaitingForDrain_AnswersAtSwapAndShowsDraining()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);
        var slow = edge.Client.GetStringAsync("/slow?ms=1500");
        await Poll.UntilAsync(() => edge.Registry.Get("app")!.Targets[0].InFlight == 1, TimeSpan.FromSeconds(5), "the slow request to be in flight");

        var result = await edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([b]) with { WaitForDrain = false }, CancellationToken.None);

        Assert.Null(result.DrainMs);
        Assert.Equal(["a"], result.Drained);
        var draining = Assert.Single(edge.Registry.Get("app")!.Draining);
        Assert.Equal(1, draining.InFlight);
        Assert.Equal("b", await edge.Client.GetStringAsync("/"));
        Assert.Equal("a", await slow);
        await Poll.UntilAsync(() => edge.Registry.Get("app")!.Draining.Count == 0, TimeSpan.FromSeconds(10), "the drain to finish");
    }

    [Fact]
    public async Task SetTargetsAsync_WithCanary_SendsWeightedShareAndSticksByCookie()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [stable]);

        await edge.Registry.SetTargetsAsync("app", EdgeServer.Targets([stable]) with
        {
            Canary = new CanaryDefinition { Targets = [new TargetDefinition { Id = "canary", Url = canary.Url }], Weight = 100 },
        }, CancellationToken.None);

        using var first = await edge.Client.GetAsync("/set-cookie");
        Assert.Equal("canary", await first.Content.ReadAsStringAsync());
        var cookies = first.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith("app=1", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("slipway-canary=canary", StringComparison.Ordinal));
        Assert.Equal("canary", Assert.Single(edge.Registry.Get("app")!.Canary).Id);

        using var pinned = new HttpRequestMessage(HttpMethod.Get, "/");
        pinned.Headers.Add("Cookie", "slipway-canary=stable");
        using var stableAnswer = await edge.Client.SendAsync(pinned);
        Assert.Equal("stable", await stableAnswer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Restore_SavedWithCanary_KeepsTheSplitWeightAndCookie()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        var home = Directory.CreateTempSubdirectory("slipway-canary-state-").FullName;
        try
        {
            var store = new EdgeStateStore(Path.Combine(home, "state.json"));
            await using (var before = await EdgeServer.StartAsync())
            {
                await before.AddServiceAsync("app", [stable]);
                await before.Registry.SetTargetsAsync("app", EdgeServer.Targets([stable]) with
                {
                    Canary = new CanaryDefinition { Targets = [new TargetDefinition { Id = "canary", Url = canary.Url }], Weight = 100, Cookie = "pick" },
                }, CancellationToken.None);
                await store.SaveAsync(new EdgeState { Services = before.Registry.Export() }, CancellationToken.None);
            }

            // A restarted edge: the same split from the state file, not only the stable targets.
            await using var after = await EdgeServer.StartAsync();
            after.Registry.Restore(store.Load().Services);

            var status = after.Registry.Get("app")!;
            Assert.Equal("canary", Assert.Single(status.Canary).Id);
            Assert.Equal("stable", Assert.Single(status.Targets).Id);

            // Restored targets start unknown and are probed at once; until the canary has passed its probe the
            // edge sends everyone to stable, so wait for that before asking which side a new session gets.
            await Poll.UntilAsync(
                () => after.Registry.Get("app")!.Canary.Single().Health == TargetHealth.Healthy
                    && after.Registry.Get("app")!.Targets.Single().Health == TargetHealth.Healthy,
                TimeSpan.FromSeconds(10),
                "the restored canary and stable targets to pass their first probes");
            using var first = await after.Client.GetAsync("/set-cookie");
            Assert.Equal("canary", await first.Content.ReadAsStringAsync());
            Assert.Contains(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith("pick=canary", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Pause_HoldsRequests_ResumeReleasesThem()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);
        var runtime = edge.Registry.GetRuntime("app")!;

        Assert.True(edge.Registry.Pause("app").Paused);
        var held = edge.Client.GetAsync("/");
        await Poll.UntilAsync(() => runtime.Held == 1, TimeSpan.FromSeconds(5), "the request to be held");
        Assert.False(held.IsCompleted);
        Assert.Empty(a.Seen);

        Assert.False(edge.Registry.Resume("app").Paused);
        using var response = await held;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pause_HoldOutlastsTimeout_Answers503()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a], Definition(d => d with { PauseTimeoutMs = 300 }));
        edge.Registry.Pause("app");

        using var response = await edge.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("paused", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_QueueFull_Answers503AtOnce()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a], Definition(d => d with { PauseQueueLimit = 1 }));
        var runtime = edge.Registry.GetRuntime("app")!;
        edge.Registry.Pause("app");
        var held = edge.Client.GetAsync("/");
        await Poll.UntilAsync(() => runtime.Held == 1, TimeSpan.FromSeconds(5), "the first request to be held");

        using var rejected = await edge.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);

        edge.Registry.Resume("app");
        using var released = await held;
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
    }

    [Fact]
    public async Task SetMaintenance_Enabled_Answers503WithMessageAndRetryAfter()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        await edge.AddServiceAsync("app", [a]);

        edge.Registry.SetMaintenance("app", new MaintenanceRequest { Enabled = true, Message = "Back at noon." });
        using var response = await edge.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Back at noon.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Empty(a.Seen);

        edge.Registry.SetMaintenance("app", new MaintenanceRequest { Enabled = false });
        Assert.Equal("a", await edge.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Restore_TargetsStartUnknown_RequestsAreHeldUntilHealthy()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var edge = await EdgeServer.StartAsync();
        var health = new HealthCheckDefinition { IntervalMs = 1_000, HealthyThreshold = 2 };

        edge.Registry.Restore([new PersistedService
        {
            Name = "app",
            Definition = Definition(d => d with { Health = health }),
            Targets = [new TargetDefinition { Id = "a", Url = a.Url }],
        }]);

        Assert.Equal(TargetHealth.Unknown, Assert.Single(edge.Registry.Get("app")!.Targets).Health);
        using var response = await edge.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TargetHealth.Healthy, edge.Registry.Get("app")!.Targets[0].Health);
        var saved = Assert.Single(edge.Registry.Export());
        Assert.Equal(a.Url, saved.Targets[0].Url);
    }

    [Fact]
    public async Task Upsert_InvalidFields_AreRejectedNamingTheField()
    {
        await using var registry = new ServiceRegistry(TimeProvider.System, NullLoggerFactory.Instance);

        var badPath = Assert.Throws<ArgumentException>(() => registry.Upsert("app", Definition(d => d with { Routes = [new RouteDefinition { Host = "*", Path = "api" }] })));
        Assert.Equal("routes[0].path", badPath.ParamName);
        var badPolicy = Assert.Throws<ArgumentException>(() => registry.Upsert("app", Definition(d => d with { LoadBalancing = "random" })));
        Assert.Equal("loadBalancing", badPolicy.ParamName);
        Assert.Throws<ArgumentException>(() => registry.Upsert("bad name", Definition()));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => registry.SetTargetsAsync("nope", new SetTargetsRequest(), CancellationToken.None));
    }
}
