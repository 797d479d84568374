using Slipway.Cli;
using Slipway.Client;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Docker;

/// <summary>Without a reachable engine, <c>deploy</c> and <c>doctor</c> say so and say what to do. Needs no Docker at all.</summary>
public sealed class DockerUnavailableTests : IDisposable
{
    private readonly string _socket = $"/tmp/slipway-no-engine-{Guid.NewGuid():N}.sock";
    private readonly DockerAppSource _sources = new();

    [Fact]
    public async Task Deploy_NoEngineSocket_FailsSayingWhereItLookedAndWhatToDo()
    {
        await using var slipway = await SlipwayProcess.StartAsync("up", null, waitForReady: true,
            new Dictionary<string, string> { ["DOCKER_HOST"] = "unix://" + _socket });
        await slipway.Admin.RegisterAsync("noengine", DockerAppSource.Spec("noengine"));

        var run = await slipway.CliAsync("deploy", "noengine", "--from", _sources.Version("noengine", "v1"));

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        var deployment = (await slipway.Admin.DeploymentsAsync("noengine"))[0];
        Assert.Equal("failed", deployment.Status);
        Assert.StartsWith($"release: no Docker engine socket at {_socket}", deployment.ErrorSummary, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST=unix://", deployment.ErrorSummary);
        Assert.Contains($"no Docker engine socket at {_socket}", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Doctor_NoEngineSocket_WarnsWithWhereItLookedAndWhatToDo()
    {
        var home = Directory.CreateTempSubdirectory("slipway-doctor-").FullName;
        try
        {
            var endpoint = new AdminEndpoint { BaseUrl = new Uri("http://127.0.0.1:1"), Home = home };
            var checks = await new Doctor(endpoint, name => name == "DOCKER_HOST" ? "unix://" + _socket : Environment.GetEnvironmentVariable(name))
                .RunAsync(CancellationToken.None);

            var docker = Assert.Single(checks, c => c.Name == "docker");
            Assert.Equal(DoctorStatus.Warning, docker.Status);
            Assert.Contains($"no Docker engine socket at {_socket}", docker.Render());
            Assert.Contains("runtime: docker", docker.Render());
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    public void Dispose() => _sources.Dispose();
}
