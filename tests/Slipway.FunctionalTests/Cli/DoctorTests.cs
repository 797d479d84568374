using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Slipway.Cli;
using Slipway.Client;

namespace Slipway.FunctionalTests.Cli;

public sealed class DoctorTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("slipway-doctor-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private async Task<IReadOnlyList<DoctorCheck>> RunAsync(Dictionary<string, string> environment)
    {
        var endpoint = new AdminEndpoint { BaseUrl = await AdminClientTests.DeadUrlAsync(), Home = _home };
        return await new Doctor(endpoint, name => environment.GetValueOrDefault(name)).RunAsync(CancellationToken.None);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task RunAsync_ToolsMissingFromPath_FailsEachWithInstallHint()
    {
        var checks = await RunAsync(new() { ["PATH"] = _home, ["SLIPWAY_EDGE_HTTP"] = $"127.0.0.1:{FreePort()}", ["SLIPWAY_ADMIN"] = $"127.0.0.1:{FreePort()}" });

        foreach (var tool in new[] { "git", "dotnet", "bash", "setsid" })
        {
            var check = Assert.Single(checks, c => c.Name == tool);
            Assert.Equal(DoctorStatus.Failed, check.Status);
            Assert.Contains("fix: install", check.Render());
        }
    }

    [Fact]
    public async Task RunAsync_EdgePortHeldByAnotherProgram_FailsAndNamesTheSetting()
    {
        using var stranger = new TcpListener(IPAddress.Loopback, 0);
        stranger.Start();
        var held = ((IPEndPoint)stranger.LocalEndpoint).Port;

        var checks = await RunAsync(new()
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "",
            ["SLIPWAY_EDGE_HTTP"] = $"127.0.0.1:{held}",
            ["SLIPWAY_ADMIN"] = $"127.0.0.1:{FreePort()}",
        });

        var edge = Assert.Single(checks, c => c.Name == "edge port");
        Assert.Equal(DoctorStatus.Failed, edge.Status);
        Assert.Contains("SLIPWAY_EDGE_HTTP", edge.Render());
        Assert.Equal(DoctorStatus.Ok, Assert.Single(checks, c => c.Name == "admin port").Status);
        Assert.Equal(DoctorStatus.Ok, Assert.Single(checks, c => c.Name == "home").Status);
        // Nothing running yet is worth a warning, not a failure.
        Assert.Equal(DoctorStatus.Warning, Assert.Single(checks, c => c.Name == "control plane").Status);
        Assert.Equal(DoctorStatus.Warning, Assert.Single(checks, c => c.Name == "edge socket").Status);
    }

    [Fact]
    public async Task RunAsync_AdminPortAnsweredBySlipway_PassesAsInUseBySlipway()
    {
        await using var server = await FakeAdminServer.StartAsync(app => app.MapGet("/readyz", () => Results.StatusCode(503)));

        var checks = await RunAsync(new()
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "",
            ["SLIPWAY_EDGE_HTTP"] = $"127.0.0.1:{FreePort()}",
            ["SLIPWAY_ADMIN"] = server.Url.Authority,
        });

        var admin = Assert.Single(checks, c => c.Name == "admin port");
        Assert.Equal(DoctorStatus.Ok, admin.Status);
        Assert.Contains("in use by slipway", admin.Detail);
    }

    [Theory]
    [InlineData("127.0.0.1:8080", true, 8080)]
    [InlineData("http://127.0.0.1:7070/", true, 7070)]
    [InlineData("localhost:9000", true, 9000)]
    [InlineData("[::1]:8080", true, 8080)]
    [InlineData("8080", false, 0)]
    [InlineData("127.0.0.1:99999", false, 0)]
    public void TryParseAddress_VariousForms_ParsesHostAndPort(string address, bool ok, int port)
    {
        Assert.Equal(ok, Doctor.TryParseAddress(address, out _, out var parsed));
        if (ok)
        {
            Assert.Equal(port, parsed);
        }
    }
}
