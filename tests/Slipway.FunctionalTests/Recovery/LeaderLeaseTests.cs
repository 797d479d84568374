using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Recovery;

/// <summary>docs/architecture.md §6: two control planes on one home; only the lease holder writes, the other takes over when it dies.</summary>
[Collection(RecoveryCollection.Name)]
public sealed class LeaderLeaseTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SecondControlPlane_IsReadOnlyFollower_AndTakesOverWhenLeaderIsKilled()
    {
        await using var stack = await RecoveryStack.StartAsync();
        var leader = stack.Server!;
        var leaderAdmin = stack.AdminUrl;
        var token = (await File.ReadAllTextAsync(Path.Combine(stack.Home, "admin.token"))).Trim();
        await stack.Admin.RegisterAsync("lease-a", new TestAppSpec { App = "lease-a" }.ToYaml());

        var follower = await stack.StartServerAsync(waitForReady: false);
        var followerAdmin = stack.AdminUrl;
        using var followerApi = new AdminHttp(followerAdmin, token);
        await Poll.UntilAsync(() => follower.Output.Contains("Follower:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), $"the second instance to become a follower:\n{follower.Output}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await RecoveryStack.ReadyzAsync(followerAdmin));
        Assert.Contains(await followerApi.AppsAsync(), a => a.Name == "lease-a");
        using (var refused = await followerApi.PutAppAsync("lease-b", new TestAppSpec { App = "lease-b" }.ToYaml()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("follower", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var fencing = Fencing(stack);
        await leader.KillAsync();
        var clock = Stopwatch.StartNew();
        await stack.WaitUntilReadyAsync(follower, followerAdmin, TimeSpan.FromSeconds(30));
        output.WriteLine($"follower led {clock.ElapsedMilliseconds} ms after the leader was killed (lease 3 s)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3 + 10), $"takeover took {clock.Elapsed}");
        Assert.Equal(fencing + 1, Fencing(stack));
        Assert.Null(await RecoveryStack.ReadyzAsync(leaderAdmin));

        await stack.Admin.RegisterAsync("lease-b", new TestAppSpec { App = "lease-b" }.ToYaml());
        Assert.Contains(await stack.Admin.AppsAsync(), a => a.Name == "lease-b");
    }

    private static long Fencing(RecoveryStack stack) => stack.Query("SELECT fencing FROM lease", r => r.GetInt64(0)).Single();
}
