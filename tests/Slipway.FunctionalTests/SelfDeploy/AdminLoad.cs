using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace Slipway.FunctionalTests.SelfDeploy;

/// <summary>
/// Concurrent authenticated GETs on the admin API through the edge's admin listener (bounded in count and time),
/// alternating between the given paths. A request fails unless it answers 200.
/// </summary>
internal sealed class AdminLoad : IAsyncDisposable
{
    private const int MaxRequests = 100_000;
    private static readonly TimeSpan MaxTime = TimeSpan.FromMinutes(4);

    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new(MaxTime);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task[] _workers;
    private int _requests;

    public AdminLoad(Uri admin, string token, IReadOnlyList<string> paths, int clients)
    {
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseProxy = false })
        {
            BaseAddress = admin,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _workers = Enumerable.Range(0, clients).Select(i => Task.Run(() => LoopAsync(paths, i))).ToArray();
    }

    public int Requests => Volatile.Read(ref _requests);

    public async Task<(int Requests, int Failures, IReadOnlyList<string> Samples)> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return (Requests, _failures.Count, [.. _failures.Take(10)]);
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

    private async Task LoopAsync(IReadOnlyList<string> paths, int offset)
    {
        var i = offset;
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _requests) <= MaxRequests)
        {
            var path = paths[i++ % paths.Count];
            try
            {
                using var response = await _client.GetAsync(path, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} GET {path}: {(int)response.StatusCode} {body[..Math.Min(200, body.Length)]}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} GET {path}: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
