using System.Collections.Concurrent;
using System.Net;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// Concurrent clients looping GET requests through the edge to one app for as long as a test needs
/// (bounded in count and time). A request fails unless it answers 200 with a body the test accepts.
/// </summary>
internal sealed class EdgeLoad : IAsyncDisposable
{
    private const int MaxRequests = 200_000;
    private static readonly TimeSpan DefaultMaxTime = TimeSpan.FromMinutes(2);

    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop;
    private readonly ConcurrentDictionary<string, int> _bodies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task[] _workers;
    private int _requests;

    private EdgeLoad(Uri edge, string host, string path, int clients, Func<string, bool> acceptable, SocketsHttpHandler? handler, TimeSpan? maxTime)
    {
        _stop = new CancellationTokenSource(maxTime ?? DefaultMaxTime);
        handler ??= new SocketsHttpHandler { UseProxy = false };
        handler.MaxConnectionsPerServer = clients;
        _client = new HttpClient(handler)
        {
            BaseAddress = edge,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _workers = Enumerable.Range(0, clients).Select(_ => Task.Run(() => LoopAsync(host, path, acceptable))).ToArray();
    }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts <paramref name="clients"/> loops and returns once requests are flowing.</summary>
    /// <param name="handler">How to connect (an HTTPS test trusts its CA here); null for plain loopback HTTP.</param>
    /// <param name="maxTime">The load stops by itself after this long (default two minutes).</param>
    public static async Task<EdgeLoad> StartAsync(Uri edge, string host, Func<string, bool> acceptable, int clients = 16, string path = "/",
        SocketsHttpHandler? handler = null, TimeSpan? maxTime = null)
    {
        var load = new EdgeLoad(edge, host, path, clients, acceptable, handler, maxTime);
        await Poll.UntilAsync(() => load.Requests >= clients * 4, TimeSpan.FromSeconds(30), "the load to get going");
        return load;
    }

    /// <summary>
    /// Waits until at least <paramref name="more"/> further requests completed, so the load spans what came before;
    /// or until the load stopped by itself at its bound in count or time (then it spanned everything before).
    /// </summary>
    public Task AtLeastAsync(int more)
    {
        var target = Requests + more;
        return Poll.UntilAsync(() => Requests >= target || Requests >= MaxRequests || _stop.IsCancellationRequested, TimeSpan.FromSeconds(30), $"{more} more requests");
    }

    /// <summary>Stops the clients and reports what they saw.</summary>
    public async Task<LoadResult> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return new LoadResult(Requests, _failures.Count, [.. _failures.Take(10)], new Dictionary<string, int>(_bodies));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync(string host, string path, Func<string, bool> acceptable)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _requests) <= MaxRequests)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Host = host;
                using var response = await _client.SendAsync(request, CancellationToken.None);
                var body = (await response.Content.ReadAsStringAsync(CancellationToken.None)).Trim();
                if (response.StatusCode != HttpStatusCode.OK || !acceptable(body))
                {
                    _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {(int)response.StatusCode}: {Truncate(body)}");
                }
                else
                {
                    _bodies.AddOrUpdate(body, 1, (_, n) => n + 1);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
