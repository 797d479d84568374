using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Rollout;

/// <summary>
/// Clients without cookies looping GET / through the edge (bounded in count and time), counting the answers by the
/// generation that gave them (the test app answers <c>... gen=N</c>) and every failure (not 200, or no answer). Without
/// cookies each request is split by the canary's weight, so the counts show the observed share. Sessions with their own
/// cookie jar show stickiness.
/// </summary>
internal sealed partial class SplitLoad : IAsyncDisposable
{
    private const int MaxRequests = 300_000;
    private static readonly TimeSpan MaxTime = TimeSpan.FromMinutes(4);

    private readonly Uri _edge;
    private readonly string _host;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new(MaxTime);
    private readonly ConcurrentDictionary<int, long> _byGeneration = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task[] _workers;
    private long _requests;
    private long _failed;
    private long _injected;

    private SplitLoad(Uri edge, string host, int clients)
    {
        _edge = edge;
        _host = host;
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, UseProxy = false, MaxConnectionsPerServer = clients })
        {
            BaseAddress = edge,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _workers = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(LoopAsync))];
    }

    public long Requests => Interlocked.Read(ref _requests);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Failures that were the test app's own injected 500s (TESTAPP_ERROR_PERCENT), by generation.</summary>
    public long Injected => Interlocked.Read(ref _injected);

    public IReadOnlyCollection<string> FailureSamples => [.. _failures.Take(10)];

    public static async Task<SplitLoad> StartAsync(Uri edge, string host, int clients = 8)
    {
        var load = new SplitLoad(edge, host, clients);
        await Poll.UntilAsync(() => load.Requests >= clients * 4, TimeSpan.FromSeconds(30), "the load to get going");
        return load;
    }

    /// <summary>Answers so far by generation.</summary>
    public IReadOnlyDictionary<int, long> ByGeneration() => new Dictionary<int, long>(_byGeneration);

    /// <summary>Waits for <paramref name="more"/> further answers and returns the counts by generation over them.</summary>
    public async Task<(IReadOnlyDictionary<int, long> Counts, long Failed)> SampleAsync(int more)
    {
        var before = ByGeneration();
        var failedBefore = Failed;
        var target = Requests + more;
        await Poll.UntilAsync(() => Requests >= target, TimeSpan.FromSeconds(60), $"{more} more requests");
        var after = ByGeneration();
        return (after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key)), Failed - failedBefore);
    }

    /// <summary>Waits for <paramref name="more"/> further requests and fails the test if any of them failed.</summary>
    public async Task AtLeastFailFreeAsync(int more)
    {
        var (_, failed) = await SampleAsync(more);
        Assert.True(failed == 0, ToString());
    }

    /// <summary>One client with its own cookie jar making <paramref name="count"/> requests in a row: the generations that answered, in order.</summary>
    public async Task<IReadOnlyList<int>> SessionAsync(int count)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer(), UseProxy = false })
        {
            BaseAddress = _edge,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var seen = new List<int>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Host = _host;
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"session request: {(int)response.StatusCode} {body}");
            seen.Add(GenerationOf(body) ?? -1);
        }

        return seen;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public override string ToString() =>
        $"{Requests} requests, {Failed} failed; by generation: {string.Join(", ", ByGeneration().OrderBy(p => p.Key).Select(p => $"g{p.Key}: {p.Value}"))}"
        + (_failures.IsEmpty ? "" : "\nfirst failures:\n  " + string.Join("\n  ", FailureSamples));

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private static int? GenerationOf(string body) =>
        GenerationPattern().Match(body) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _requests) <= MaxRequests)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = _host;
                using var response = await _client.SendAsync(request, CancellationToken.None);
                var body = (await response.Content.ReadAsStringAsync(CancellationToken.None)).Trim();
                if (response.StatusCode == HttpStatusCode.InternalServerError && body.StartsWith("injected failure", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _injected);
                    Fail($"500: {body}");
                }
                else if (response.StatusCode != HttpStatusCode.OK || GenerationOf(body) is not { } generation)
                {
                    Fail($"{(int)response.StatusCode}: {body}");
                }
                else
                {
                    _byGeneration.AddOrUpdate(generation, 1, (_, n) => n + 1);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Fail($"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    private void Fail(string what)
    {
        Interlocked.Increment(ref _failed);
        if (_failures.Count < 50)
        {
            _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {what}");
        }
    }

    [GeneratedRegex(@"gen=(\d+)")]
    private static partial Regex GenerationPattern();
}
