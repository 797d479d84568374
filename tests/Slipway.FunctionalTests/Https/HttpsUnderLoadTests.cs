using System.Collections.Concurrent;
using System.Diagnostics;
using Slipway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Slipway.FunctionalTests.Https;

/// <summary>
/// HTTPS through the real binary and a real ACME server while clients keep requesting over TLS: a
/// certificate renewal, 20 deploys and an edge upgrade, each without a failed request.
/// </summary>
[Collection(HttpsCollection.Name)]
public sealed class HttpsUnderLoadTests(ITestOutputHelper output)
{
    private const int Clients = 8;
    private static readonly TimeSpan IssueDeadline = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task Renewal_ShortLivedCertificate_NewCertificateServedWithoutAFailedRequest()
    {
        // 45 s certificates renew about 30 s into their life.
        await using var stack = await HttpsStack.StartAsync(validity: TimeSpan.FromSeconds(45));
        var spec = new TestAppSpec { App = "app" };
        var first = await DeployAndIssueAsync(stack, spec, "app v1");

        var serials = new ConcurrentDictionary<string, int>();
        var handler = stack.Handler(leaf => serials.AddOrUpdate(leaf.SerialNumber, 1, (_, n) => n + 1));
        // New connections all the time, so handshakes see whichever certificate is served at that moment.
        handler.PooledConnectionLifetime = TimeSpan.FromMilliseconds(200);
        await using var load = await EdgeLoad.StartAsync(stack.HttpsUrl(spec.Host), spec.Host, body => body.StartsWith("app v1 ", StringComparison.Ordinal),
            Clients, handler: handler);
        var renewed = await stack.WaitForCertificateAsync(spec.Host, r => r.GetProperty("serial").GetString() != first,
            TimeSpan.FromSeconds(90), "the certificate to be renewed");
        var second = renewed.GetProperty("serial").GetString()!;
        await Poll.UntilAsync(() => serials.ContainsKey(second), TimeSpan.FromSeconds(30), "a handshake with the renewed certificate");
        await load.AtLeastAsync(Clients * 20);
        var result = await load.StopAsync();

        output.WriteLine($"renewal under load: {result}; handshakes by serial: {string.Join(", ", serials.Select(s => $"{s.Key} x{s.Value}"))}");
        Assert.True(result.Failures == 0, result.ToString());
        Assert.True(serials.ContainsKey(first!), "no handshake saw the first certificate");
        var journal = await File.ReadAllTextAsync(Path.Combine(stack.Slipway.Home, "logs", "certificates.log"));
        Assert.Contains("\"kind\":\"acme.issued\"", journal, StringComparison.Ordinal);
        Assert.Contains("renewal", journal, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", journal, StringComparison.Ordinal);

        var metrics = await new Slipway.Edge.Control.EdgeControlClient(Path.Combine(stack.Slipway.Home, "edge.sock")).GetMetricsAsync(CancellationToken.None);
        Assert.Contains("slipway_edge_certificate_days_left", metrics, StringComparison.Ordinal);
        Assert.Contains("host=\"app.test\"", metrics, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task TwentyDeploys_OverHttpsUnderLoad_NoRequestFails()
    {
        await using var stack = await HttpsStack.StartAsync();
        var spec = new TestAppSpec { App = "app" };
        await DeployAndIssueAsync(stack, spec, "app v0");

        await using var load = await EdgeLoad.StartAsync(stack.HttpsUrl(spec.Host), spec.Host, body => body.StartsWith("app v", StringComparison.Ordinal),
            Clients, handler: stack.Handler(), maxTime: TimeSpan.FromMinutes(8));
        var watch = Stopwatch.StartNew();
        for (var i = 1; i <= 20; i++)
        {
            await stack.Slipway.Admin.DeploySucceededAsync(spec.App, stack.Sources.Version(spec, $"app v{i}"));
        }

        await load.AtLeastAsync(Clients * 10);
        var result = await load.StopAsync();
        output.WriteLine($"20 deploys over HTTPS in {watch.Elapsed.TotalSeconds:0} s: {result.Requests} requests, {result.Failures} failed");
        Assert.True(result.Failures == 0, result.ToString());
        Assert.Contains(result.Bodies.Keys, body => body.StartsWith("app v20 ", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task EdgeUpgrade_OverHttpsUnderLoad_NoRequestFailsAndSameCertificateServed()
    {
        await using var stack = await HttpsStack.StartAsync();
        var spec = new TestAppSpec { App = "app" };
        var serial = await DeployAndIssueAsync(stack, spec, "app v1");

        var serials = new ConcurrentDictionary<string, int>();
        var handler = stack.Handler(leaf => serials.AddOrUpdate(leaf.SerialNumber, 1, (_, n) => n + 1));
        handler.PooledConnectionLifetime = TimeSpan.FromMilliseconds(500);
        await using var load = await EdgeLoad.StartAsync(stack.HttpsUrl(spec.Host), spec.Host, body => body.StartsWith("app v1 ", StringComparison.Ordinal),
            Clients, handler: handler);
        var before = await DetachedEdge.PidAsync(stack.Slipway.Home);
        var run = await stack.Slipway.CliAsync("edge", "upgrade");
        Assert.True(run.ExitCode == 0, run.ToString());
        var after = await DetachedEdge.PidAsync(stack.Slipway.Home);
        Assert.NotEqual(before, after);
        await load.AtLeastAsync(Clients * 30);
        var result = await load.StopAsync();

        output.WriteLine($"edge upgrade over HTTPS: {result.Requests} requests, {result.Failures} failed; handshakes by serial: {string.Join(", ", serials.Select(s => $"{s.Key} x{s.Value}"))}");
        Assert.True(result.Failures == 0, result.ToString());
        Assert.Equal([serial], serials.Keys);
        // The new edge answers the certificate API with the same certificate.
        var row = (await stack.CertificatesAsync()).EnumerateArray().Single(c => c.GetProperty("host").GetString() == spec.Host);
        Assert.Equal(serial, row.GetProperty("serial").GetString());
    }

    /// <summary>Registers and deploys the app routed at <c>app.test</c> (<c>tls: auto</c>) and returns the serial of its first ACME certificate.</summary>
    private static async Task<string> DeployAndIssueAsync(HttpsStack stack, TestAppSpec spec, string content)
    {
        await stack.Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Slipway.Admin.DeploySucceededAsync(spec.App, stack.Sources.Version(spec, content));
        var row = await stack.WaitForCertificateAsync(spec.Host, r => r.TryGetProperty("source", out var s) && s.GetString() == "acme",
            IssueDeadline, $"a certificate for {spec.Host} from ACME");
        return row.GetProperty("serial").GetString()!;
    }
}
