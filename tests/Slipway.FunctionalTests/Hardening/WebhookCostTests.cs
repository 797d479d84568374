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
        var signature = "sha256=" + new string('0', 64);
        var held = new List<TcpClient>();
        try
        {
            // Four deliveries whose bodies never finish arriving hold every slot.
            for (var i = 0; i < 4; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(fixture.Slipway.AdminUrl.Host, fixture.Slipway.AdminUrl.Port);
                var head = $"POST /api/v1/webhooks/github/hookcost HTTP/1.1\r\nHost: {fixture.Slipway.AdminUrl.Authority}\r\nContent-Type: application/json\r\n" +
                           $"X-GitHub-Event: push\r\nX-GitHub-Delivery: {Guid.NewGuid()}\r\nX-Hub-Signature-256: {signature}\r\nContent-Length: 1000\r\n\r\n{{\"a\":";
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
                held.Add(client);
            }

            var refused = await Poll.ForAsync(
                () => PostAsync("/api/v1/webhooks/github/hookcost", "{}", Secret),
                r => r.Status == HttpStatusCode.TooManyRequests,
                TimeSpan.FromSeconds(30), "the fifth delivery to be refused with 429");
            Assert.Contains("being checked already", refused.Body);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }

        var after = await Poll.ForAsync(
            () => PostAsync("/api/v1/webhooks/github/hookcost", "{}", Secret),
            r => r.Status != HttpStatusCode.TooManyRequests,
            TimeSpan.FromSeconds(30), "a delivery to be read again once the held ones ended");
        Assert.True((int)after.Status < 500, $"{(int)after.Status} {after.Body}");
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
