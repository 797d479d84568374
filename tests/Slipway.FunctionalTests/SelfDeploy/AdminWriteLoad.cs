using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Slipway.FunctionalTests.SelfDeploy;

/// <summary>
/// One client that PUTs an app spec through the edge's admin listener in a loop (bounded in count and time), so writes
/// arrive during every handoff window. A write fails unless it answers 200; the longest a write took is kept, since a
/// write that reaches a candidate before it leads waits for the handoff instead of being refused.
/// </summary>
internal sealed class AdminWriteLoad : IAsyncDisposable
{
    private const int MaxRequests = 20_000;
    private static readonly TimeSpan MaxTime = TimeSpan.FromMinutes(4);

    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new(MaxTime);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task _worker;
    private int _requests;
    private long _longestTicks;

    public AdminWriteLoad(Uri admin, string token, string app, string yaml)
    {
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = admin,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _worker = Task.Run(() => LoopAsync(app, yaml));
    }

    public int Requests => Volatile.Read(ref _requests);

    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    public async Task<(int Requests, int Failures, TimeSpan Longest, IReadOnlyList<string> Samples)> StopAsync()
    {
        await _stop.CancelAsync();
        await _worker;
        return (Requests, _failures.Count, Longest, [.. _failures.Take(10)]);
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

    private async Task LoopAsync(string app, string yaml)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _requests) <= MaxRequests)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
                using var response = await _client.PutAsync($"/api/v1/apps/{app}", content, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} PUT /api/v1/apps/{app}: {(int)response.StatusCode} {body[..Math.Min(200, body.Length)]}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} PUT /api/v1/apps/{app}: {e.GetType().Name}: {e.Message}");
            }

            var elapsed = clock.Elapsed.Ticks;
            long seen;
            while (elapsed > (seen = Interlocked.Read(ref _longestTicks)) && Interlocked.CompareExchange(ref _longestTicks, elapsed, seen) != seen)
            {
            }
        }
    }
}
