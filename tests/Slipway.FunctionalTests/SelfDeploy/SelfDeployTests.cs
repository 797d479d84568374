using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.SelfDeploy;

/// <summary>
/// docs/architecture.md §7: the control plane deploys itself without dropping a request, on the app it routes or on its own admin
/// API, and a handoff that does not complete leaves (or puts back) the old instance in charge. Runs in the
/// control-plane collection so the builds do not starve the other control-plane classes of CPU.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class SelfDeployTests(SelfDeployFixture fixture, ITestOutputHelper output) : IClassFixture<SelfDeployFixture>
{
    [SkippableFact]
    public async Task SelfDeploy_FiveTimesAlternatingRevisionsUnderLoad_NoRequestFailsAndVersionChangesEachTime()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        foreach (var timing in fixture.Timings)
        {
            output.WriteLine(timing);
        }

        var slipway = fixture.Slipway;
        var token = (await File.ReadAllTextAsync(Path.Combine(slipway.Home, "admin.token"))).Trim();
        await using var appLoad = await EdgeLoad.StartAsync(slipway.HttpUrl, fixture.App.Host, body => body.StartsWith("self v1 ", StringComparison.Ordinal), clients: 6);
        // Readiness seen through the admin listener never blinks, and a write during a handoff waits for the new leader.
        await using var adminLoad = new AdminLoad(slipway.AdminUrl, token, ["/api/v1/apps", "/version", "/readyz"], clients: 4);
        var written = new TestAppSpec { App = "selfwrites" };
        await using var writes = new AdminWriteLoad(slipway.AdminUrl, token, written.App, written.ToYaml());

        var (previous, _) = await fixture.VersionAsync();
        for (var i = 0; i < 5; i++)
        {
            var revision = previous == fixture.RevisionA ? fixture.RevisionB : fixture.RevisionA;
            var clock = Stopwatch.StartNew();
            var running = slipway.CliAsync("self-deploy", "--rev", revision);
            if (i == 0)
            {
                await AssertOtherDeploymentsRefusedWhileSelfDeployRunsAsync();
            }

            var run = await running;
            Assert.True(run.ExitCode == 0, $"self-deploy {i + 1} exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
            var (now, _) = await fixture.VersionAsync();
            Assert.Equal(revision, now);
            Assert.NotEqual(previous, now);
            output.WriteLine($"self-deploy {i + 1} to {revision[..8]} (release reused): {clock.Elapsed.TotalSeconds:0.0} s through the CLI");
            previous = now;
        }

        await appLoad.AtLeastAsync(20);
        var app = await appLoad.StopAsync();
        var admin = await adminLoad.StopAsync();
        var write = await writes.StopAsync();
        output.WriteLine($"app load: {app}");
        output.WriteLine($"admin load: {admin.Requests} requests, {admin.Failures} failed");
        output.WriteLine($"admin writes: {write.Requests} PUTs of an app spec, {write.Failures} failed, longest {write.Longest.TotalMilliseconds:0} ms");
        Assert.True(app.Failures == 0, app.ToString());
        Assert.True(admin.Failures == 0, $"{admin.Failures} of {admin.Requests} admin requests failed:\n  {string.Join("\n  ", admin.Samples)}");
        Assert.True(write.Failures == 0, $"{write.Failures} of {write.Requests} admin writes failed:\n  {string.Join("\n  ", write.Samples)}");
        Assert.True(write.Requests > 0, "no write was sent");

        var deployments = await slipway.Admin.DeploymentsAsync("slipway");
        Assert.All(deployments, d => Assert.Contains(d.Status, new[] { "succeeded", "failed", "cancelled", "superseded", "rolled_back" }));
        // The handoff never waited out its bound for writes: none of them (the self-deploy request included) held it up.
        Assert.All(deployments, d => Assert.DoesNotContain("admin writes still running",
            File.ReadAllText(Path.Combine(slipway.Home, "logs", "deployments", d.Id + ".log")), StringComparison.Ordinal));
        var releases = await slipway.Admin.ReleasesAsync("slipway");
        Assert.Equal(2, releases.Count); // built once per revision, reused since
        var version = await slipway.CliAsync("version");
        Assert.Contains(previous, version.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task SelfDeploy_CandidateFailsItsProbes_OldInstanceKeepsRouteLeaseAndVersion()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var before = await fixture.VersionAsync();
        var lease = fixture.Lease();

        var (status, outcome) = await fixture.SelfDeployAsync(new SelfDeployRequest
        {
            Revision = Other(before.Revision),
            CandidateEnv = new Dictionary<string, string> { ["SLIPWAY_FAULT"] = "candidate:start" },
        });

        Assert.True(status == HttpStatusCode.InternalServerError, $"{(int)status} {outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
        Assert.Equal("failed", outcome.Status);
        Assert.StartsWith("validate:", outcome.ErrorSummary, StringComparison.Ordinal);
        Assert.Equal(before, await fixture.VersionAsync());
        Assert.Equal(lease, fixture.Lease());
        await AssertLeaderWritesAsync();
    }

    [SkippableFact]
    public async Task SelfDeploy_NewInstanceDiesAfterTakingTheLease_EdgeRoutesBackAndOldInstanceLeadsAgain()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var before = await fixture.VersionAsync();
        var lease = fixture.Lease();

        var (status, outcome) = await fixture.SelfDeployAsync(new SelfDeployRequest
        {
            Revision = Other(before.Revision),
            CandidateEnv = new Dictionary<string, string> { ["SLIPWAY_FAULT"] = "after:handoff-lease" },
        });

        Assert.True(status == HttpStatusCode.InternalServerError, $"{(int)status} {outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
        Assert.Contains("died after taking the lease", outcome.ErrorSummary, StringComparison.Ordinal);
        Assert.Equal(before, await fixture.VersionAsync());
        var after = fixture.Lease();
        Assert.Equal(lease.Holder, after.Holder); // the same old process holds it again
        Assert.Equal(lease.Fencing + 2, after.Fencing); // taken by the new instance, then back by the old one
        await AssertLeaderWritesAsync();
    }

    /// <summary>
    /// The handoff moves the store's lease, so no other deployment may run meanwhile. A promote request tells it
    /// apart without side effects: 409 while the control plane deploys itself, 400 otherwise (prod is the app's only
    /// environment).
    /// </summary>
    private async Task AssertOtherDeploymentsRefusedWhileSelfDeployRunsAsync()
    {
        var admin = fixture.Slipway.Admin;
        await Poll.UntilAsync(async () => (await admin.DeploymentsAsync("slipway")).Any(d => !Terminal.Contains(d.Status)),
            TimeSpan.FromSeconds(60), "the self-deploy to be queued or running");
        using var response = await admin.Client.PostAsJsonAsync($"/api/v1/apps/{fixture.App.App}/promote", new { to = "prod" });
        var body = await response.Content.ReadAsStringAsync();
        if ((await admin.DeploymentsAsync("slipway")).Any(d => !Terminal.Contains(d.Status)))
        {
            // Still running after the answer came back, so it was running while the request was handled.
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {body}");
            Assert.Contains("is deploying itself", body, StringComparison.Ordinal);
        }
        else
        {
            output.WriteLine($"the self-deploy ended before the refusal could be checked ({(int)response.StatusCode})");
        }
    }

    private static readonly string[] Terminal = ["succeeded", "failed", "cancelled", "superseded", "rolled_back"];

    private string Other(string revision) => revision == fixture.RevisionA ? fixture.RevisionB : fixture.RevisionA;

    /// <summary>A write through the admin listener succeeds: whatever answers holds the lease and has recovered.</summary>
    private async Task AssertLeaderWritesAsync()
    {
        // Retried: the instance that took the lease back runs its start-up recovery once more (writes answer 503 meanwhile).
        await Poll.UntilAsync(async () =>
        {
            using var response = await fixture.Slipway.Admin.Client.PostAsJsonAsync("/api/v1/tokens", new { name = "after-self-deploy" });
            return response.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(30), "a write through the admin listener to succeed");
    }
}
