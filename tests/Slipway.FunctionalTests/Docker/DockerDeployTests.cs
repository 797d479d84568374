using System.Net;
using System.Text.Json;
using Slipway.Cli;
using Slipway.Client;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Docker;

/// <summary>
/// <c>runtime: docker</c> through the real binary and a real engine: the same promises as processes — built from
/// the exact release, pinned by image id, verified after start, drained before stop, adopted across restarts.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerDeployTests(DockerFixture fixture)
{
    private const int Clients = 8;

    [SkippableFact]
    public async Task Deploy_V1ThenV2UnderLoad_NoRequestFailsAndV2ServesItsRelease()
    {
        await DockerRequirement.RequireAsync();
        var app = await fixture.RegisterAsync("zero");
        var first = await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "zero v1"));

        await using var load = await EdgeLoad.StartAsync(fixture.Slipway.HttpUrl, $"{app}.test",
            body => body.StartsWith("zero v1 ", StringComparison.Ordinal) || body.StartsWith("zero v2 ", StringComparison.Ordinal), Clients);
        var second = await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "zero v2"));
        await load.AtLeastAsync(Clients * 10);
        var result = await load.StopAsync();

        Assert.True(result.Failures == 0, result.ToString());
        Assert.StartsWith("zero v2 g2", (await fixture.Slipway.EdgeGetAsync($"{app}.test", "/")).Body, StringComparison.Ordinal);
        var (status, versionJson) = await fixture.Slipway.EdgeGetAsync($"{app}.test", "/version");
        Assert.Equal(HttpStatusCode.OK, status);
        using var version = JsonDocument.Parse(versionJson);
        Assert.Equal(second.Release, version.RootElement.GetProperty("release").GetString());
        Assert.Equal(second.Digest, version.RootElement.GetProperty("digest").GetString());

        // Each generation runs in a container created from its release's image id, labelled with what it runs.
        var containers = await fixture.ContainersAsync(app);
        var v2 = containers.Single(c => c.Labels[DockerLabels.Generation] == "2");
        Assert.Equal("running", v2.State);
        Assert.Equal(second.Release, v2.Labels[DockerLabels.Release]);
        Assert.Equal(second.Digest, v2.Labels[DockerLabels.Digest]);
        Assert.Equal("prod", v2.Labels[DockerLabels.Env]);
        var image = await fixture.Engine.InspectImageAsync($"slipway/{app}:{second.Release}", CancellationToken.None);
        Assert.Equal(image, v2.ImageId);
        Assert.NotEqual(first.Release, second.Release);
        var view = (await fixture.Admin.AppsAsync()).Single(a => a.Name == app);
        Assert.Equal("docker", view.Runtime);
        Assert.Equal("running", view.Environments.Single().ProcessState);
    }

    [SkippableFact]
    public async Task Rollback_WhilePreviousContainerIsWarm_RouteSwapToTheSameContainer()
    {
        await DockerRequirement.RequireAsync();
        var app = await fixture.RegisterAsync("warm");
        await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "warm v1"));
        await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "warm v2"));
        var before = await fixture.ContainersAsync(app);
        var g1 = before.Single(c => c.Labels[DockerLabels.Generation] == "1");
        var g1StartedAt = (await fixture.Engine.InspectContainerAsync(g1.Id, CancellationToken.None))!.StartedAt;

        await using var load = await EdgeLoad.StartAsync(fixture.Slipway.HttpUrl, $"{app}.test",
            body => body.StartsWith("warm v1 ", StringComparison.Ordinal) || body.StartsWith("warm v2 ", StringComparison.Ordinal), Clients);
        var (status, outcome) = await fixture.Admin.RollbackAndWaitAsync(app);
        await load.AtLeastAsync(Clients * 10);
        var result = await load.StopAsync();

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
        Assert.True(result.Failures == 0, result.ToString());
        Assert.Equal("warm v1 g1", (await fixture.Slipway.EdgeGetAsync($"{app}.test", "/")).Body);
        // No container was started: the same g1 container, never restarted, serves again.
        var after = await fixture.ContainersAsync(app);
        Assert.Equal(before.Select(c => c.Id).Order(), after.Select(c => c.Id).Order());
        var g1After = await fixture.Engine.InspectContainerAsync(g1.Id, CancellationToken.None);
        Assert.Equal("running", g1After!.Status);
        Assert.Equal(g1StartedAt, g1After.StartedAt);
    }

    [SkippableFact]
    public async Task Deploy_ContainerDiesDuringValidation_FailsWithItsLastLogLinesAndOldKeepsServing()
    {
        await DockerRequirement.RequireAsync();
        var app = await fixture.RegisterAsync("dies");
        await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "dies v1"));
        await fixture.Admin.RegisterAsync(app, DockerAppSource.Spec(app, new Dictionary<string, string> { ["EXIT_AT_START"] = "cannot open the database" }));

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(app, fixture.Sources.Version(app, "dies v2"));

        AssertFailed(status, outcome, "validate: the candidate exited with code 3 before it passed validation");
        Assert.Contains("fatal: cannot open the database", outcome.ErrorSummary);
        Assert.Contains("starting " + app + " generation 2", outcome.ErrorSummary);
        Assert.Equal("dies v1 g1", (await fixture.Slipway.EdgeGetAsync($"{app}.test", "/")).Body);
        // The failed candidate's container is removed; only the serving one is left.
        var containers = await Poll.ForAsync(() => fixture.ContainersAsync(app), c => c.Count == 1, TimeSpan.FromSeconds(30), "the failed container to be removed");
        Assert.Equal("1", containers[0].Labels[DockerLabels.Generation]);
    }

    [SkippableFact]
    public async Task Deploy_NoDockerfile_ReleasePhaseFailsNamingThePath()
    {
        await DockerRequirement.RequireAsync();
        var app = await fixture.RegisterAsync("nofile", dockerfile: "deploy/Dockerfile");

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(app, fixture.Sources.Version(app, "nofile v1"));

        AssertFailed(status, outcome, "release: no Dockerfile at ");
        Assert.Contains($"/{app}/", outcome.ErrorSummary);
        Assert.Contains("/deploy/Dockerfile", outcome.ErrorSummary);
        Assert.Empty(await fixture.ContainersAsync(app));
    }

    [SkippableFact]
    public async Task Restart_WhileContainersRun_AdoptedWithSameContainerIdsNotRestartedAndStrangersLeftAlone()
    {
        await DockerRequirement.RequireAsync();
        var stranger = await fixture.StartStrangerAsync();
        var app = await fixture.RegisterAsync("adopt");
        await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "adopt v1"));
        await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "adopt v2"));
        var before = await fixture.ContainersAsync(app);
        var startedAt = new Dictionary<string, DateTimeOffset?>();
        foreach (var container in before)
        {
            startedAt[container.Id] = (await fixture.Engine.InspectContainerAsync(container.Id, CancellationToken.None))!.StartedAt;
        }

        fixture.Slipway = await fixture.Slipway.RestartAsync();

        Assert.Equal("adopt v2 g2", (await fixture.Slipway.EdgeGetAsync($"{app}.test", "/")).Body);
        var after = await fixture.ContainersAsync(app);
        Assert.Equal(before.Select(c => c.Id).Order(), after.Select(c => c.Id).Order());
        foreach (var container in after)
        {
            var info = await fixture.Engine.InspectContainerAsync(container.Id, CancellationToken.None);
            Assert.Equal("running", info!.Status);
            Assert.Equal(startedAt[container.Id], info.StartedAt);
        }

        // A labelled container no generation accounts for is never killed, only reported by doctor.
        Assert.Equal("running", (await fixture.Engine.InspectContainerAsync(stranger, CancellationToken.None))!.Status);
        var checks = await new Doctor(new AdminEndpoint { BaseUrl = fixture.Slipway.AdminUrl, Home = fixture.Slipway.Home }, Environment.GetEnvironmentVariable)
            .RunAsync(CancellationToken.None);
        var containersCheck = Assert.Single(checks, c => c.Name == "docker containers");
        Assert.Equal(DoctorStatus.Warning, containersCheck.Status);
        Assert.Contains($"1 Slipway container(s) that no live generation accounts for, left alone: {DockerEngine.Short(stranger)} (app stranger-", containersCheck.Detail);
        Assert.DoesNotContain(DockerEngine.Short(after[0].Id), containersCheck.Detail);
        Assert.Equal("running", (await fixture.Engine.InspectContainerAsync(stranger, CancellationToken.None))!.Status);

        // The adopted warm generation still makes a rollback a route swap.
        var (status, outcome) = await fixture.Admin.RollbackAndWaitAsync(app);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
        Assert.Equal("adopt v1 g1", (await fixture.Slipway.EdgeGetAsync($"{app}.test", "/")).Body);
    }

    [SkippableFact]
    public async Task Deploy_NoRollbackWindowAndKeepOneRelease_OldContainerRemovedAndOldImagePruned()
    {
        await DockerRequirement.RequireAsync();
        var app = await fixture.RegisterAsync("prune", extra: "rollback_window: 0s\nkeep_releases: 1");
        var v1 = await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "prune v1"));
        var v1Image = await fixture.Engine.InspectImageAsync($"slipway/{app}:{v1.Release}", CancellationToken.None);
        Assert.NotNull(v1Image);

        var v2 = await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "prune v2"));

        // Drained, then stopped and removed at once: no rollback window to stay warm for.
        var containers = await fixture.ContainersAsync(app);
        Assert.Equal("2", Assert.Single(containers).Labels[DockerLabels.Generation]);
        // v1 is still the rollback target (previous), so its image stays.
        Assert.NotNull(await fixture.Engine.InspectImageAsync(v1Image, CancellationToken.None));

        var v3 = await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "prune v3"));

        Assert.Null(await fixture.Engine.InspectImageAsync(v1Image, CancellationToken.None));
        Assert.NotNull(await fixture.Engine.InspectImageAsync($"slipway/{app}:{v2.Release}", CancellationToken.None));
        Assert.NotNull(await fixture.Engine.InspectImageAsync($"slipway/{app}:{v3.Release}", CancellationToken.None));
        Assert.Equal("prune v3 g3", (await fixture.Slipway.EdgeGetAsync($"{app}.test", "/")).Body);
    }

    [SkippableFact]
    public async Task CurrentContainer_KilledOrStopped_ComesBackAndRestartsAreJournaled()
    {
        await DockerRequirement.RequireAsync();
        var app = await fixture.RegisterAsync("phoenix");
        await fixture.Admin.DeploySucceededAsync(app, fixture.Sources.Version(app, "phoenix v1"));
        var id = Assert.Single(await fixture.ContainersAsync(app)).Id;

        // Once current, the engine keeps it alive (a candidate has no restart policy: a crash fails validation).
        await Poll.UntilAsync(async () => (await fixture.Engine.InspectContainerAsync(id, CancellationToken.None))?.RestartPolicy == "unless-stopped",
            TimeSpan.FromSeconds(60), "the current container's restart policy to become unless-stopped");
        // A crash inside the container (`docker kill` would count as stopping it on purpose).
        var pid = (await fixture.Engine.InspectContainerAsync(id, CancellationToken.None))!.Pid!.Value;
        using (var app1 = System.Diagnostics.Process.GetProcessById(pid))
        {
            app1.Kill();
        }

        await WaitServingAsync(app);
        await WithJournalAsync(app, Poll.UntilAsync(() => RestartEvents(app).Count(e => e.Type == "deploy.restart.done") == 1, TimeSpan.FromSeconds(60), "deploy.restart.done in the journal"));
        Assert.Contains("\"engine\"", RestartEvents(app).First(e => e.Type == "deploy.restart.start").Data);

        // Stopped on purpose behind Slipway's back: the engine leaves it down, the reconciler starts it again.
        await fixture.Engine.StopContainerAsync(id, TimeSpan.FromSeconds(1), CancellationToken.None);
        await WaitServingAsync(app);
        await WithJournalAsync(app, Poll.UntilAsync(() => RestartEvents(app).Count(e => e.Type == "deploy.restart.done") == 2, TimeSpan.FromSeconds(60), "a second deploy.restart.done"));
        var second = RestartEvents(app).Where(e => e.Type == "deploy.restart.start").Last().Data;
        Assert.Contains("\"reconciler\"", second);
        Assert.Contains("exited", second);
        Assert.Equal(id, Assert.Single(await fixture.ContainersAsync(app)).Id);
    }

    /// <summary>A wait on the journal that, when it times out, says what the journal and the control plane's log did show.</summary>
    private async Task WithJournalAsync(string app, Task wait)
    {
        try
        {
            await wait;
        }
        catch (TimeoutException e)
        {
            var journal = StoreReader.Query(fixture.Slipway.Home, "SELECT type, data_json FROM events WHERE app = $app ORDER BY seq",
                r => $"{r.GetString(0)} {r.GetString(1)}", ("$app", app));
            var log = fixture.Slipway.ControlPlaneLogTail(30).Split('\n');
            var containers = string.Join("; ", (await fixture.ContainersAsync(app)).Select(c => c.Id));
            foreach (var c in await fixture.ContainersAsync(app))
            {
                var i = await fixture.Engine.InspectContainerAsync(c.Id, CancellationToken.None);
                containers += $" [{i?.Status} restarts {i?.RestartCount} policy {i?.RestartPolicy} pid {i?.Pid}]";
            }

            throw new TimeoutException($"{e.Message}\ncontainers: {containers}\njournal of {app}:\n  {string.Join("\n  ", journal.TakeLast(8))}\nlog:\n  {string.Join("\n  ", log)}", e);
        }
    }

    private List<(string Type, string Data)> RestartEvents(string app) =>
        StoreReader.Query(fixture.Slipway.Home, "SELECT type, data_json FROM events WHERE app = $app AND type LIKE 'deploy.restart.%' ORDER BY seq",
            r => (r.GetString(0), r.GetString(1)), ("$app", app));

    private Task WaitServingAsync(string app) =>
        Poll.UntilAsync(async () =>
        {
            try
            {
                return (await fixture.Slipway.EdgeGetAsync($"{app}.test", "/")).Body == "phoenix v1 g1";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"{app} to serve again");

    private static void AssertFailed(HttpStatusCode status, DeployOutcome outcome, string summaryStart)
    {
        Assert.True(status != HttpStatusCode.OK, $"expected a failed deploy, got {(int)status} {outcome.Status}");
        Assert.Equal("failed", outcome.Status);
        Assert.True(outcome.ErrorSummary?.StartsWith(summaryStart, StringComparison.Ordinal) == true,
            $"errorSummary should start with \"{summaryStart}\": {outcome.ErrorSummary}\n{outcome.LogTail}");
    }
}
