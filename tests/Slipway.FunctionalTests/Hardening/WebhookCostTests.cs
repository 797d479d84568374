using System.Net;
using System.Net.Sockets;
using System.Text;
using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>
/// Webhooks are the one entry without a token: what an anonymous sender can make Slipway do before it is rejected
/// must be small. The app named in the URL is the only secret tried, and at most a few deliveries are read at once.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class WebhookCostTests(SlipwayFixture fixture)
{
    private const string Secret = "webhook-cost-secret-0123456789abcdef";

    [Fact]
    public async Task AppInTheUrl_OnlyItsSecretIsTried()
    {
        var spec = await RegisterAsync();
        var body = "{\"zen\":\"ping\"}";

        var own = await PostAsync($"/api/v1/webhooks/github/{spec.App}", body, Secret);
        var other = await PostAsync("/api/v1/webhooks/github/some-other-app", body, Secret);

        Assert.True(own.Status == HttpStatusCode.OK, $"{(int)own.Status} {own.Body}");
        Assert.Contains("pong", own.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, other.Status);
        Assert.Contains("of app 'some-other-app'", System.Text.Json.JsonDocument.Parse(other.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task MoreDeliveriesAtOnceThanTheCap_TheExtraOneIs429UntilOneEnds()
    {
        await RegisterAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var held = new List<HeldDelivery>();
        (HttpStatusCode Status, string Body) fifth = default;
        try
        {
            // Deliveries whose bodies never finish arriving hold the slots. One that reached the server after a probe
            // below took a slot for a moment is itself refused; it is replaced until all four are held at once.
            await Poll.UntilAsync(
                async () =>
                {
                    foreach (var answered in held.Where(h => h.Answered.IsCompleted).ToList())
                    {
                        held.Remove(answered);
                        await answered.DisposeAsync();
                    }

                    while (held.Count < WebhookCap)
                    {
                        held.Add(await HeldDelivery.OpenAsync(fixture.Slipway.AdminUrl, stop.Token));
                    }

                    fifth = await PostAsync("/api/v1/webhooks/github/hookcost", "{}", Secret);
                    return fifth.Status == HttpStatusCode.TooManyRequests;
                },
                TimeSpan.FromSeconds(30), $"a fifth delivery to be refused with 429 while {WebhookCap} are being read");
            Assert.Contains("being checked already", fifth.Body);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} The last answer was {(int)fifth.Status} {fifth.Body}", e);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var h in held)
            {
                await h.DisposeAsync();
            }
        }

        var after = await Poll.ForAsync(
            () => PostAsync("/api/v1/webhooks/github/hookcost", "{}", Secret),
            r => r.Status != HttpStatusCode.TooManyRequests,
            TimeSpan.FromSeconds(30), "a delivery to be read again once the held ones ended");
        Assert.True((int)after.Status < 500, $"{(int)after.Status} {after.Body}");
    }

    /// <summary>The cap the control plane enforces (<c>WebhookReceiver.MaxConcurrent</c>).</summary>
    private const int WebhookCap = 4;

    /// <summary>
    /// A push delivery whose body keeps arriving: a little at a time, fast enough that neither Kestrel's minimum body
    /// rate (240 B/s after 5 s) nor the edge's buffering ends it, and bounded by the test's deadline.
    /// </summary>
    private sealed class HeldDelivery : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly CancellationTokenSource _stop;
        private readonly Task _trickle;

        private HeldDelivery(TcpClient client, CancellationToken stop)
        {
            _client = client;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var stream = client.GetStream();
            Answered = stream.ReadAsync(new byte[1024], _stop.Token).AsTask();
            _trickle = TrickleAsync(stream, _stop.Token);
        }

        /// <summary>Completes when the server answered (or closed) this delivery, which then holds no slot.</summary>
        public Task Answered { get; }

        public static async Task<HeldDelivery> OpenAsync(Uri admin, CancellationToken stop)
        {
            var client = new TcpClient();
            await client.ConnectAsync(admin.Host, admin.Port, stop);
            var head = $"POST /api/v1/webhooks/github/hookcost HTTP/1.1\r\nHost: {admin.Authority}\r\nContent-Type: application/json\r\n" +
                       $"X-GitHub-Event: push\r\nX-GitHub-Delivery: {Guid.NewGuid()}\r\nX-Hub-Signature-256: sha256={new string('0', 64)}\r\n" +
                       "Content-Length: 5000000\r\n\r\n{\"a\":";
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head), stop);
            return new HeldDelivery(client, stop);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _client.Dispose();
            await _trickle;
            await Answered.ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        // JSON whitespace, 32 KiB every half second: more than the edge buffers before it writes to the control plane.
        private static async Task TrickleAsync(Stream stream, CancellationToken stop)
        {
            var spaces = Encoding.ASCII.GetBytes(new string(' ', 32 * 1024));
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await stream.WriteAsync(spaces, stop);
                    await Task.Delay(500, stop);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
                // Stopped by the test, or the server ended the delivery.
            }
        }
    }

    private async Task<TestAppSpec> RegisterAsync()
    {
        var spec = new TestAppSpec { App = "hookcost", Source = ("/nonexistent/acme/hookcost.git", "main") };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var set = await fixture.Slipway.CliWithInputAsync(Secret + "\n", "webhooks", "secret", spec.App);
        Assert.True(set.ExitCode == 0, set.Stderr);
        return spec;
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string body, string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", "ping");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + ForgeDelivery.Sign(secret, bytes));
        using var client = new HttpClient { BaseAddress = fixture.Slipway.AdminUrl };
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
