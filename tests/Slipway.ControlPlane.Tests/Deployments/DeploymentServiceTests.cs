using Microsoft.Extensions.Logging.Abstractions;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.Store;

namespace Slipway.ControlPlane.Tests.Deployments;

/// <summary>
/// The deployment service on a real store with a pipeline that only records the end: what it keeps per deployment is
/// gone once the deployment ended, however it ended and whenever someone waited for it (a long-running control plane
/// must not hold one entry per deployment it ever ran).
/// </summary>
public sealed class DeploymentServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task EndedDeployments_WaitedForBeforeAfterOrNever_LeaveNothingTracked()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"));
        store.UpsertApp("hello", "app: hello\nruntime: process\nrun: { command: \"true\" }\n");
        var release = new TaskCompletionSource();
        await using var service = new DeploymentService(store, new AppCatalog(store), async (run, _) =>
        {
            store.StartDeployment(run.Id);
            await release.Task;
            return store.FinishDeployment(run.Id, DeploymentStatus.Succeeded, 0, null, 1);
        }, _dir.File("logs"), NullLogger<DeploymentService>.Instance);

        // Running, then one queued behind it that a newer request supersedes, then one cancelled while queued.
        var first = service.Request(new NewDeployment { App = "hello", FromDir = "/src/1" }, "from:/src/1").Deployment;
        var waitBefore = service.WaitAsync(first.Id, CancellationToken.None);
        var superseded = service.Request(new NewDeployment { App = "hello", FromDir = "/src/2" }, "from:/src/2").Deployment;
        var cancelled = service.Request(new NewDeployment { App = "hello", FromDir = "/src/3" }, "from:/src/3").Deployment;
        Assert.Equal(DeploymentStatus.Cancelled, service.Cancel(cancelled.Id)!.Status);
        Assert.True(service.TrackedCompletions >= 1);

        release.SetResult();
        Assert.Equal(DeploymentStatus.Succeeded, (await waitBefore).Status);
        foreach (var id in new[] { first.Id, superseded.Id, cancelled.Id })
        {
            Assert.True((await service.WaitAsync(id, CancellationToken.None)).IsTerminal);
        }

        // A wait for an id that never existed, given up.
        using (var giveUp = new CancellationTokenSource())
        {
            var never = service.WaitAsync("d-00000000-9999", giveUp.Token);
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => never);
        }

        Assert.Equal(0, service.TrackedCompletions);
    }

    public void Dispose() => _dir.Dispose();
}
