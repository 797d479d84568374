using System.Diagnostics;
using System.Globalization;
using System.Net;

// Usage: H2Load <url> <connections> <streams-per-connection> <seconds>. Closed loop: every stream sends
// GET <url> over HTTP/2 with prior knowledge and the next one as soon as the answer is read. Prints one
// line: requests/s, p50 ms, p99 ms, errors.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: H2Load http://127.0.0.1:PORT/ CONNECTIONS STREAMS_PER_CONNECTION SECONDS");
    return 2;
}

var url = new Uri(args[0]);
var connections = int.Parse(args[1], CultureInfo.InvariantCulture);
var streams = int.Parse(args[2], CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture));
var clients = Enumerable.Range(0, connections).Select(_ => new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    UseCookies = false,
    EnableMultipleHttp2Connections = false,
})).ToList();
var errors = 0;
var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
var workers = clients.SelectMany(client => Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
{
    var latencies = new List<double>(200_000);
    var buffer = new byte[4096];
    while (Stopwatch.GetTimestamp() < until)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.SendAsync(request, CancellationToken.None);
            await using var body = await response.Content.ReadAsStreamAsync();
            while (await body.ReadAsync(buffer) > 0)
            {
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref errors);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref errors);
        }

        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    return latencies;
}))).ToList();
var started = Stopwatch.GetTimestamp();
var all = (await Task.WhenAll(workers)).SelectMany(l => l).Order().ToList();
var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
double Percentile(double p) => all.Count == 0 ? 0 : all[Math.Min(all.Count - 1, (int)(p * all.Count))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{all.Count / seconds:0}\t{Percentile(0.50):0.00}\t{Percentile(0.99):0.00}\t{(errors == 0 ? "" : $"errors: {errors}")}"));
foreach (var client in clients)
{
    client.Dispose();
}

return 0;
