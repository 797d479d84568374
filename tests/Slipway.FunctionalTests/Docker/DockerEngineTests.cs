using System.Globalization;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Docker;

/// <summary>The Engine API client against a real engine: every call the docker runtime relies on.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerEngineTests(DockerFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task ContainerLifecycle_BuildCreateStartInspectLogsStopRemove_EachCallDoesWhatItSays()
    {
        await DockerRequirement.RequireAsync();
        var engine = fixture.Engine;
        var app = $"engine-{Guid.NewGuid():N}"[..20];
        var output = new List<string>();
        var imageId = await engine.BuildImageAsync(fixture.Sources.Context("engine test"), "Dockerfile", $"slipway/{app}:t1",
            new Dictionary<string, string> { [DockerLabels.App] = app }, output.Add, CancellationToken.None);
        string? containerId = null;
        try
        {
            Assert.StartsWith("sha256:", imageId, StringComparison.Ordinal);
            Assert.Contains(output, line => line.Contains("COPY busybox", StringComparison.Ordinal));
            Assert.Equal(imageId, await engine.InspectImageAsync($"slipway/{app}:t1", CancellationToken.None));
            Assert.NotNull(engine.ApiVersion);

            var port = FreePort.Next();
            containerId = await engine.CreateContainerAsync(new ContainerCreate
            {
                ImageId = imageId,
                Environment = new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture), ["SLIPWAY_GENERATION"] = "7", ["SLIPWAY_APP"] = app },
                Labels = new Dictionary<string, string> { [DockerLabels.App] = app, [DockerLabels.Generation] = "7" },
                HostPort = port,
            }, CancellationToken.None);
            await engine.StartContainerAsync(containerId, CancellationToken.None);
            using var http = new HttpClient();
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    return (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"))).StartsWith("engine test g7", StringComparison.Ordinal);
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, Deadline, "the container to serve on its port");

            var running = await engine.InspectContainerAsync(containerId, CancellationToken.None);
            Assert.Equal("running", running!.Status);
            Assert.Equal(imageId, running.ImageId);
            Assert.NotNull(running.StartedAt);
            Assert.Equal("7", running.Labels[DockerLabels.Generation]);
            Assert.Contains($"starting {app} generation 7", await engine.LogsAsync(containerId, 10, CancellationToken.None));
            var listed = await engine.ListContainersAsync([$"{DockerLabels.App}={app}"], CancellationToken.None);
            Assert.Equal(containerId, Assert.Single(listed).Id);

            await engine.StopContainerAsync(containerId, TimeSpan.FromSeconds(1), CancellationToken.None);
            Assert.Equal("exited", (await engine.InspectContainerAsync(containerId, CancellationToken.None))!.Status);
            await engine.RemoveContainerAsync(containerId, CancellationToken.None);
            Assert.Null(await engine.InspectContainerAsync(containerId, CancellationToken.None));
            Assert.Empty(await engine.ListContainersAsync([$"{DockerLabels.App}={app}"], CancellationToken.None));
        }
        finally
        {
            if (containerId is not null)
            {
                await engine.RemoveContainerAsync(containerId, CancellationToken.None);
            }

            await engine.RemoveImageAsync(imageId, CancellationToken.None, force: true);
        }

        Assert.Null(await engine.InspectImageAsync(imageId, CancellationToken.None));
    }

    [SkippableFact]
    public async Task KillAndWait_RunningContainer_WaitReturnsTheSignalExitCode()
    {
        await DockerRequirement.RequireAsync();
        var engine = fixture.Engine;
        var app = $"kill-{Guid.NewGuid():N}"[..20];
        var imageId = await engine.BuildImageAsync(fixture.Sources.Context("kill test"), "Dockerfile", $"slipway/{app}:t1",
            new Dictionary<string, string> { [DockerLabels.App] = app }, _ => { }, CancellationToken.None);
        var containerId = await engine.CreateContainerAsync(new ContainerCreate
        {
            ImageId = imageId,
            Environment = new Dictionary<string, string> { ["PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture) },
            Labels = new Dictionary<string, string> { [DockerLabels.App] = app },
        }, CancellationToken.None);
        try
        {
            await engine.StartContainerAsync(containerId, CancellationToken.None);
            var wait = engine.WaitContainerAsync(containerId, CancellationToken.None);

            await engine.KillContainerAsync(containerId, "SIGKILL", CancellationToken.None);

            Assert.Equal(137, await wait.WaitAsync(Deadline));
            var info = await engine.InspectContainerAsync(containerId, CancellationToken.None);
            Assert.Equal("exited", info!.Status);
            Assert.Equal(137, info.ExitCode);
        }
        finally
        {
            await engine.RemoveContainerAsync(containerId, CancellationToken.None);
            await engine.RemoveImageAsync(imageId, CancellationToken.None, force: true);
        }
    }

    [SkippableFact]
    public async Task BuildImage_StepFails_ThrowsWithTheEngineMessage()
    {
        await DockerRequirement.RequireAsync();
        var context = fixture.Sources.Context("broken");
        File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY no-such-file /x\n");

        var e = await Assert.ThrowsAsync<DockerBuildException>(() => fixture.Engine.BuildImageAsync(context, "Dockerfile", "slipway/broken-test:t1",
            new Dictionary<string, string>(), _ => { }, CancellationToken.None));

        Assert.Contains("no-such-file", e.Message, StringComparison.Ordinal);
    }
}
