using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.FunctionalTests.Edge;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>
/// Defects 6 and 7 (docs/security.md) through the real <c>slipway edge</c>: what a client claims about itself in
/// forwarding headers never reaches the app, and an oddly written path routes like its normal form while the app
/// receives the very bytes the client sent. The app answers what it received (the test app's <c>/echo</c>).
/// </summary>
public sealed class EdgeTrustBoundaryTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _home = Directory.CreateTempSubdirectory("slipway-trust-").FullName;
    private EdgeProcess? _edge;
    private EdgeControlClient? _control;
    private Uri? _edgeUrl;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        _edge = EdgeProcess.Start("edge", "--home", _home, "--http", "127.0.0.1:0", "--admin", "127.0.0.1:0");
        _edgeUrl = await _edge.WaitUntilListeningAsync(Deadline);
        _control = new EdgeControlClient(Path.Combine(_home, "edge.sock"));
        await _control.StartProcessAsync(new ProcessDefinition
        {
            Id = "echo-g1",
            Command = $"exec dotnet \"{RepoPaths.TestAppDll}\"",
            WorkingDirectory = _home,
            Port = port,
            StopGraceMs = 5_000,
        }, CancellationToken.None);
        await _control.PutServiceAsync("echo", new ServiceDefinition
        {
            Routes = [new RouteDefinition { Host = "*", Path = "/api" }],
            Health = new HealthCheckDefinition { Path = "/healthz", IntervalMs = 200, HealthyThreshold = 1 },
        }, CancellationToken.None);
        await _control.SetTargetsAsync("echo", new SetTargetsRequest
        {
            Targets = [new TargetDefinition { Id = "echo-g1", Url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" }],
            DeployTimeoutMs = 30_000,
        }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_control is not null)
        {
            await _control.DeleteProcessAsync("echo-g1", TimeSpan.FromSeconds(5), CancellationToken.None);
            _control.Dispose();
        }

        if (_edge is not null)
        {
            await _edge.DisposeAsync();
        }

        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task SpoofedForwardingHeaders_AreReplacedWithWhatTheEdgeSaw()
    {
        var answer = await RawGetAsync("/api/echo",
            "X-Forwarded-For: 6.6.6.6", "X-Real-IP: 6.6.6.6", "Forwarded: for=6.6.6.6;proto=https");

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("x-forwarded-for=127.0.0.1\n", answer, StringComparison.Ordinal);
        Assert.Contains("x-real-ip=127.0.0.1\n", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("6.6.6.6", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//api/echo")]
    [InlineData("/API/echo")]
    [InlineData("/api//echo/a%zz")]
    public async Task OddlyWrittenPath_RoutesLikeItsNormalForm_AndTheAppGetsTheBytesSent(string target)
    {
        var answer = await RawGetAsync(target);

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains($"target={target}\n", answer, StringComparison.Ordinal);
    }

    /// <summary>One request written byte for byte (an HTTP client library would normalise the target first).</summary>
    private async Task<string> RawGetAsync(string target, params string[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_edgeUrl!.Host, _edgeUrl.Port);
        var stream = client.GetStream();
        var request = new StringBuilder($"GET {target} HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            request.Append(header).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(Deadline);
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
