using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

// Usage: LoadClient <base-url> <host-header> <connections> <sse-streams> <stop-file> <out-dir> <max-seconds>
// Closed-loop GET / on <connections> connections plus <sse-streams> SSE streams on /sse, until <stop-file>
// exists (or <max-seconds>). Every request is recorded (start, latency, status; 0 = transport error) in
// <out-dir>/requests.csv, with wall-clock start times so they can be matched with the deploys' phase times.
// SSE: a stream that ends is reopened at once and counted as a reconnect; a gap in the event numbers within
// one stream counts as lost events.
if (args.Length != 7)
{
    Console.Error.WriteLine("usage: LoadClient BASE_URL HOST CONNECTIONS SSE_STREAMS STOP_FILE OUT_DIR MAX_SECONDS");
    return 2;
}

var baseUrl = args[0].TrimEnd('/');
var host = args[1];
var connections = int.Parse(args[2], CultureInfo.InvariantCulture);
var sseStreams = int.Parse(args[3], CultureInfo.InvariantCulture);
var stopFile = args[4];
var outDir = args[5];
var maxSeconds = int.Parse(args[6], CultureInfo.InvariantCulture);

using var handler = new SocketsHttpHandler
{
    UseProxy = false,
    UseCookies = false,
    AllowAutoRedirect = false,
    MaxConnectionsPerServer = connections + sseStreams,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    ConnectTimeout = TimeSpan.FromSeconds(5),
};
using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(maxSeconds));
var epochMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
var clock = Stopwatch.StartNew();
var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();

var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
{
    var rows = new List<(double Start, double Latency, int Status)>(100_000);
    while (!stop.IsCancellationRequested)
    {
        var start = clock.Elapsed.TotalMilliseconds;
        var status = 0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/");
            request.Headers.Host = host;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
            status = (int)response.StatusCode;
            if (status != 200)
            {
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                errors.AddOrUpdate($"{status} {body.Trim()}", 1, (_, n) => n + 1);
            }
        }
        catch (Exception ex)
        {
            errors.AddOrUpdate($"{ex.GetType().Name}: {ex.Message}", 1, (_, n) => n + 1);
        }

        rows.Add((start, clock.Elapsed.TotalMilliseconds - start, status));
    }

    return rows;
})).ToList();

var streamStats = new (int Opened, int Reconnects, long Events, long Lost, int CleanEnds, int CutEnds)[sseStreams];
var sse = Enumerable.Range(0, sseStreams).Select(k => Task.Run(async () =>
{
    var opened = 0;
    var reconnects = 0;
    long events = 0, lost = 0;
    var clean = 0;
    var cut = 0;
    while (!stop.IsCancellationRequested)
    {
        opened++;
        var last = -1L;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/sse");
            request.Headers.Host = host;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                errors.AddOrUpdate($"sse {(int)response.StatusCode}", 1, (_, n) => n + 1);
                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token), Encoding.UTF8);
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var at = line.IndexOf(" n=", StringComparison.Ordinal);
                if (!line.StartsWith("data:", StringComparison.Ordinal) || at < 0)
                {
                    continue;
                }

                var n = long.Parse(line.AsSpan(at + 3), CultureInfo.InvariantCulture);
                if (last >= 0 && n != last + 1)
                {
                    lost += Math.Max(0, n - last - 1);
                }

                last = n;
                events++;
            }

            clean++;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            break;
        }
        catch (Exception)
        {
            cut++;
        }

        if (!stop.IsCancellationRequested)
        {
            reconnects++;
        }
    }

    streamStats[k] = (opened, reconnects, events, lost, clean, cut);
})).ToList();

while (!stop.IsCancellationRequested && !File.Exists(stopFile))
{
    try
    {
        await Task.Delay(100, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}

await stop.CancelAsync();
var all = (await Task.WhenAll(workers)).SelectMany(r => r).OrderBy(r => r.Start).ToList();
await Task.WhenAll(sse);

Directory.CreateDirectory(outDir);
await using (var csv = new StreamWriter(Path.Combine(outDir, "requests.csv")))
{
    foreach (var (start, latency, status) in all)
    {
        await csv.WriteLineAsync(FormattableString.Invariant($"{epochMs + start:F1},{latency:F3},{status}"));
    }
}

var summary = new
{
    requests = all.Count,
    failed = all.Count(r => r.Status != 200),
    seconds = clock.Elapsed.TotalSeconds,
    errors = errors.ToDictionary(e => e.Key, e => e.Value),
    sse = new
    {
        streams = sseStreams,
        streamsThatReconnected = streamStats.Count(s => s.Reconnects > 0),
        reconnects = streamStats.Sum(s => s.Reconnects),
        events = streamStats.Sum(s => s.Events),
        lostEvents = streamStats.Sum(s => s.Lost),
        endedCleanly = streamStats.Sum(s => s.CleanEnds),
        cutAtDrainDeadline = streamStats.Sum(s => s.CutEnds),
    },
};
await File.WriteAllTextAsync(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
return 0;
