using Microsoft.Extensions.Logging.Abstractions;
using Slipway.Edge.Control;
using Slipway.Edge.Hosting;

namespace Slipway.Edge.Tests.Hosting;

/// <summary>A real edge on 127.0.0.1:0 with its control socket in a temporary home; stops its processes on dispose.</summary>
internal sealed class TestEdge : IAsyncDisposable
{
    private TestEdge(EdgeHost host, string home, bool ownsHome)
    {
        Host = host;
        Home = home;
        OwnsHome = ownsHome;
        Client = new EdgeControlClient(host.ControlSocketPath);
        Http = new HttpClient { BaseAddress = new Uri($"http://{host.HttpEndpoint}/") };
    }

    public EdgeHost Host { get; }

    public string Home { get; }

    public EdgeControlClient Client { get; }

    public HttpClient Http { get; }

    private bool OwnsHome { get; }

    public static async Task<TestEdge> StartAsync(string? home = null, bool admin = false)
    {
        var ownsHome = home is null;
        home ??= Directory.CreateTempSubdirectory("slipway-edge-").FullName;
        var host = await EdgeHost.StartAsync(Options(home, admin), CancellationToken.None);
        return new TestEdge(host, home, ownsHome);
    }

    public static EdgeOptions Options(string home, bool admin = false) => new()
    {
        Home = home,
        Http = "127.0.0.1:0",
        Admin = admin ? "127.0.0.1:0" : null,
        DrainTimeout = TimeSpan.FromSeconds(5),
        LoggerFactory = NullLoggerFactory.Instance,
    };

    /// <summary>Stops the edge as an edge restart would: processes keep running.</summary>
    public async Task StopKeepingProcessesAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Host.StopAsync(stopProcesses: false, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Host.StopAsync(stopProcesses: true, CancellationToken.None);
        if (OwnsHome)
        {
            Directory.Delete(Home, recursive: true);
        }
    }
}
