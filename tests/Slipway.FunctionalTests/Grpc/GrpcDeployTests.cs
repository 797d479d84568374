using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Slipway.FunctionalTests.Infrastructure;
using Slipway.GrpcTestApp;

namespace Slipway.FunctionalTests.Grpc;

/// <summary>
/// A gRPC app (tests/Slipway.GrpcTestApp, HTTP/2 only) deployed through the real <c>slipway up</c> with
/// <c>protocol: h2c</c> and <c>probes: { kind: grpc }</c>, called through the edge's h2c listener
/// (<c>--h2c</c>, here from <c>SLIPWAY_EDGE_H2C</c>) while the HTTP/1.1 listener keeps serving the same routes.
/// </summary>
public sealed class GrpcDeployTests : IAsyncLifetime
{
    private const string App = "grpcecho";
    private const string Host = "grpcecho.test";
    private const int DrainSeconds = 3;

    private readonly string _sources = Directory.CreateTempSubdirectory("slipway-grpc-").FullName;
    private readonly int _h2cPort = FreePort.Next();
    private SlipwayProcess? _slipway;
    private GrpcChannel? _channel;
    private int _versions;

    private SlipwayProcess Slipway => _slipway!;

    private Echo.EchoClient Client => new(_channel!);

    public async Task InitializeAsync()
    {
        _slipway = await SlipwayProcess.StartAsync("up", workingDirectory: null, waitForReady: true,
            environment: new Dictionary<string, string> { ["SLIPWAY_EDGE_H2C"] = $"127.0.0.1:{_h2cPort}" });
        // The route is matched on :authority, which the channel would otherwise set to the listener's address.
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_h2cPort}", new GrpcChannelOptions
        {
            HttpHandler = new AuthorityHandler(Host, new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true }),
        });
        await Slipway.Admin.RegisterAsync(App, Spec());
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_slipway is not null)
        {
            await _slipway.DisposeAsync();
        }

        Directory.Delete(_sources, recursive: true);
    }

    [Fact]
    public async Task Deploy_GrpcAppWithH2cAndGrpcProbe_UnaryStreamingTrailersAndDeadlinesWorkThroughTheEdge()
    {
        var deployed = await Slipway.Admin.DeploySucceededAsync(App, NewVersion());

        using var hello = Client.HelloAsync(new HelloRequest { Name = "edge" });
        var reply = await hello.ResponseAsync;
        Assert.Equal("hello edge", reply.Message);
        Assert.Equal(StatusCode.OK, hello.GetStatus().StatusCode);
        Assert.Equal(reply.Generation, hello.GetTrailers().GetValue("x-generation"));

        using var count = Client.Count(new CountRequest { Count = 5 });
        var seen = new List<int>();
        await foreach (var message in count.ResponseStream.ReadAllAsync())
        {
            seen.Add(message.N);
        }

        Assert.Equal([0, 1, 2, 3, 4], seen);
        Assert.Equal(StatusCode.OK, count.GetStatus().StatusCode);
        Assert.Equal(reply.Generation, count.GetTrailers().GetValue("x-generation"));

        // The deadline travels as grpc-timeout through the edge; the call ends with DEADLINE_EXCEEDED, not a hang.
        var late = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.HelloAsync(new HelloRequest { Name = "late", DelayMs = 10_000 }, deadline: DateTime.UtcNow.AddMilliseconds(500)));
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
        Assert.Equal("hello again", (await Client.HelloAsync(new HelloRequest { Name = "again" })).Message);

        // The same app over HTTP/2 with prior knowledge on the h2c listener, and over HTTP/1.1 on the HTTP
        // listener (the edge speaks h2c to the app either way: the app has no HTTP/1.1).
        using var h2 = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var h2Request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_h2cPort}/version")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        h2Request.Headers.Host = Host;
        using var h2Response = await h2.SendAsync(h2Request);
        Assert.Equal(HttpStatusCode.OK, h2Response.StatusCode);
        Assert.Equal(HttpVersion.Version20, h2Response.Version);
        Assert.Contains(deployed.Digest!, await h2Response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (status, body) = await Slipway.EdgeGetAsync(Host, "/version");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(deployed.Digest!, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_TenSwapsUnderGrpcLoad_NoCallFailsAndAStreamAcrossASwapEndsAtTheDrainDeadline()
    {
        await Slipway.Admin.DeploySucceededAsync(App, NewVersion());
        var first = (await Client.HelloAsync(new HelloRequest { Name = "first" })).Generation;

        // A stream opened on the first generation, left open across the next deploy.
        using var stream = Client.Count(new CountRequest { Count = 0, IntervalMs = 100 });
        var streamGenerations = new List<(string Generation, long At)>();
        var streamEnded = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in stream.ResponseStream.ReadAllAsync())
                {
                    lock (streamGenerations)
                    {
                        streamGenerations.Add((message.Generation, Stopwatch.GetTimestamp()));
                    }
                }

                return (StatusCode?)StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        });

        using var stop = new CancellationTokenSource();
        long swappedAt = 0;
        var calls = 0;
        var failures = new List<string>();
        var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var answer = await Client.HelloAsync(new HelloRequest { Name = $"w{worker}" }, deadline: DateTime.UtcNow.AddSeconds(20));
                    if (answer.Generation != first)
                    {
                        // The first answer from a later generation: the moment of the first swap, seen from outside.
                        Interlocked.CompareExchange(ref swappedAt, Stopwatch.GetTimestamp(), 0);
                    }

                    if (answer.Message != $"hello w{worker}")
                    {
                        lock (failures)
                        {
                            failures.Add($"wrong answer '{answer.Message}'");
                        }
                    }

                    Interlocked.Increment(ref calls);
                }
                catch (RpcException e)
                {
                    lock (failures)
                    {
                        failures.Add($"{e.StatusCode}: {e.Status.Detail}");
                    }
                }
            }
        })).ToList();

        string? latest = null;
        for (var i = 0; i < 10; i++)
        {
            await Slipway.Admin.DeploySucceededAsync(App, NewVersion());
            latest = (await Client.HelloAsync(new HelloRequest { Name = "probe" })).Generation;
            Assert.NotEqual(first, latest);
        }

        var before = Volatile.Read(ref calls);
        await Poll.UntilAsync(() => Volatile.Read(ref calls) > before + 20, TimeSpan.FromSeconds(30), "gRPC calls after the last swap");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(failures.Count == 0, $"{failures.Count} of {calls + failures.Count} calls failed: {string.Join("; ", failures.Distinct().Take(5))}");
        Assert.True(calls > 100, $"only {calls} calls ran during the swaps");
        Assert.Equal(latest, (await Client.HelloAsync(new HelloRequest { Name = "last" })).Generation);

        // The stream stayed on the first generation after the swap and was ended by the edge at its drain deadline.
        var ended = await streamEnded.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(StatusCode.OK, ended);
        List<(string Generation, long At)> received;
        lock (streamGenerations)
        {
            received = [.. streamGenerations];
        }

        Assert.All(received, m => Assert.Equal(first, m.Generation));
        Assert.NotEqual(0, swappedAt);
        var lastMessageAfterSwap = Stopwatch.GetElapsedTime(swappedAt, received[^1].At);
        // Not cut at the swap: it flowed on for most of the drain timeout, and stopped at its deadline.
        Assert.True(lastMessageAfterSwap > TimeSpan.FromSeconds(1), $"the stream stopped {lastMessageAfterSwap} after the swap; drain is {DrainSeconds} s");
        Assert.True(lastMessageAfterSwap < TimeSpan.FromSeconds(DrainSeconds + 10), $"the stream ran {lastMessageAfterSwap} past the swap; drain is {DrainSeconds} s");
    }

    private static string Spec() => $$"""
        app: {{App}}
        build: [ { name: check, run: "true" } ]
        run: { command: "dotnet {{RepoPaths.GrpcTestAppDll}}" }
        protocol: h2c
        routes: [ { host: {{Host}}, path: / } ]
        probes: { kind: grpc, service: slipway.test.Echo, version: /version, interval: 200ms, timeout: 2s, passes: 2, deadline: 30s }
        drain: { timeout: {{DrainSeconds}}s }
        stop_grace: 5s
        keep_releases: 3
        """;

    private string NewVersion()
    {
        var dir = Path.Combine(_sources, $"v{Interlocked.Increment(ref _versions)}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "slipway.yml"), Spec());
        File.WriteAllText(Path.Combine(dir, "content.txt"), $"version {_versions}\n");
        return dir;
    }

    /// <summary>Sends every call with <c>Host</c> (HTTP/2 <c>:authority</c>) set to the app's route host.</summary>
    private sealed class AuthorityHandler(string host, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = host;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
