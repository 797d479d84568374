using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Https;

/// <summary>
/// <c>tls: auto</c> through the real binary against a real ACME server (Pebble): a certificate by HTTP-01, by
/// TLS-ALPN-01 when port 80 is closed to the CA, HTTPS answered over HTTP/2, plain HTTP redirected.
/// </summary>
[Collection(HttpsCollection.Name)]
public sealed class AcmeIssuanceTests
{
    private static readonly TimeSpan IssueDeadline = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task AutoRoute_Http01_CertificateServedOverHttp2AndHttpRedirects()
    {
        await using var stack = await HttpsStack.StartAsync();
        var spec = new TestAppSpec { App = "app" };
        await stack.Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Slipway.Admin.DeploySucceededAsync(spec.App, stack.Sources.Version(spec, "app v1"));

        var row = await stack.WaitForCertificateAsync("app.test", HttpsStack.IssuedByAcme,
            IssueDeadline, "a certificate for app.test from ACME");
        Assert.Equal("http-01", row.GetProperty("acme").GetProperty("challenge").GetString());
        Assert.Contains("Pebble", row.GetProperty("issuer").GetString(), StringComparison.Ordinal);

        var curl = await CurlAsync(stack, "app.test", "/");
        Assert.True(curl.Out.StartsWith("200 2", StringComparison.Ordinal), $"curl: {curl.Out} {curl.Err}");
        Assert.Contains("app v1", curl.Out, StringComparison.Ordinal);

        // Plain HTTP: a 301 to the same URL on https, except the ACME challenge path.
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = stack.Slipway.HttpUrl };
        using var redirect = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/some/path?q=1") { Headers = { Host = "app.test" } });
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal($"https://app.test:{stack.HttpsPort}/some/path?q=1", redirect.Headers.Location?.ToString());
        using var challenge = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/.well-known/acme-challenge/unknown-token") { Headers = { Host = "app.test" } });
        Assert.NotEqual(HttpStatusCode.MovedPermanently, challenge.StatusCode);

        // The account key and the certificate key are never readable by others.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(stack.Slipway.Home, "edge"), "*.json", SearchOption.AllDirectories)
            .Where(f => f.Contains("/certs/", StringComparison.Ordinal) || f.Contains("/acme/", StringComparison.Ordinal)))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.DoesNotContain("PRIVATE KEY", stack.Slipway.Output, StringComparison.Ordinal);
        var list = await stack.Slipway.CliAsync("certs", "list");
        Assert.Contains("app.test", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("renews ", list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", list.Stdout, StringComparison.Ordinal);
        var status = await stack.Slipway.CliAsync("status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("CERTIFICATE", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("app.test", status.Stdout, StringComparison.Ordinal);
        Assert.Contains(" acme ", status.Stdout, StringComparison.Ordinal);

        // The certificate survives a restart: the same one is served, without a new order.
        var serial = row.GetProperty("serial").GetString();
        await stack.RestartAsync();
        string? served = null;
        using var https = new HttpClient(stack.Handler(leaf => served = leaf.SerialNumber)) { Timeout = TimeSpan.FromSeconds(20) };
        var answer = await https.GetStringAsync(stack.HttpsUrl("app.test"));
        Assert.StartsWith("app v1", answer, StringComparison.Ordinal);
        Assert.Equal(serial, served);
        var journal = await File.ReadAllLinesAsync(Path.Combine(stack.Slipway.Home, "logs", "certificates.log"));
        Assert.Single(journal, line => line.Contains("\"kind\":\"acme.issued\"", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task AutoRoute_HttpListenerUnreachable_CertificateByTlsAlpn01()
    {
        await using var stack = await HttpsStack.StartAsync(httpChallengeReachable: false);
        var spec = new TestAppSpec { App = "app" };
        await stack.Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Slipway.Admin.DeploySucceededAsync(spec.App, stack.Sources.Version(spec, "app alpn"));

        var row = await stack.WaitForCertificateAsync("app.test", HttpsStack.IssuedByAcme,
            IssueDeadline, "a certificate for app.test by TLS-ALPN-01");
        Assert.Equal("tls-alpn-01", row.GetProperty("acme").GetProperty("challenge").GetString());
        var curl = await CurlAsync(stack, "app.test", "/");
        Assert.True(curl.Out.StartsWith("200 2", StringComparison.Ordinal), $"curl: {curl.Out} {curl.Err}");
        Assert.Contains("app alpn", curl.Out, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task BadInput_ClearErrors_ServedCertificateUnchanged()
    {
        await using var stack = await HttpsStack.StartAsync();
        var spec = new TestAppSpec { App = "app" };
        await stack.Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Slipway.Admin.DeploySucceededAsync(spec.App, stack.Sources.Version(spec, "app v1"));
        var issued = await stack.WaitForCertificateAsync("app.test", r => r.TryGetProperty("source", out var s) && s.GetString() == "acme",
            IssueDeadline, "a certificate for app.test from ACME");
        var serial = issued.GetProperty("serial").GetString();

        var dir = Directory.CreateTempSubdirectory("slipway-badcert-").FullName;
        try
        {
            var (goodCert, _) = SelfSigned(dir, "good", "app.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            var (_, otherKey) = SelfSigned(dir, "other", "app.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            var (expiredCert, expiredKey) = SelfSigned(dir, "expired", "app.test", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
            var (futureCert, futureKey) = SelfSigned(dir, "future", "app.test", DateTimeOffset.UtcNow.AddDays(2), DateTimeOffset.UtcNow.AddDays(30));
            var (elsewhereCert, elsewhereKey) = SelfSigned(dir, "elsewhere", "other.example", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

            var mismatched = await stack.Slipway.CliAsync("certs", "add", "app.test", "--cert", goodCert, "--key", otherKey);
            Assert.Equal(2, mismatched.ExitCode);
            Assert.True(mismatched.Stderr.Contains("does not belong to the certificate", StringComparison.Ordinal), mismatched.Stderr);
            Assert.Contains(otherKey, mismatched.Stderr, StringComparison.Ordinal);

            var expired = await stack.Slipway.CliAsync("certs", "add", "app.test", "--cert", expiredCert, "--key", expiredKey);
            Assert.Equal(2, expired.ExitCode);
            Assert.Contains("expired on", expired.Stderr, StringComparison.Ordinal);

            var future = await stack.Slipway.CliAsync("certs", "add", "app.test", "--cert", futureCert, "--key", futureKey);
            Assert.Equal(2, future.ExitCode);
            Assert.Contains("not valid yet", future.Stderr, StringComparison.Ordinal);

            var wrongName = await stack.Slipway.CliAsync("certs", "add", "app.test", "--cert", elsewhereCert, "--key", elsewhereKey);
            Assert.Equal(2, wrongName.ExitCode);
            Assert.Contains("does not name app.test", wrongName.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        // A name the CA refuses: a clear error in `certs list`, and app.test keeps its certificate.
        var blocked = new TestAppSpec { App = "blocked" };
        await stack.Slipway.Admin.RegisterAsync(blocked.App, blocked.ToYaml());
        await stack.Slipway.Admin.DeploySucceededAsync(blocked.App, stack.Sources.Version(blocked, "blocked v1"));
        var refused = await stack.WaitForCertificateAsync(PebbleServer.BlockedName,
            r => r.TryGetProperty("acme", out var a) && a.GetProperty("state").GetString() == "failing", IssueDeadline, "the refused name to fail");
        Assert.Contains("rejectedIdentifier", refused.GetProperty("acme").GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var list = await stack.Slipway.CliAsync("certs", "list");
        Assert.Contains("blocked.test: ", list.Stdout, StringComparison.Ordinal);

        var after = (await stack.CertificatesAsync()).EnumerateArray().Single(c => c.GetProperty("host").GetString() == "app.test");
        Assert.Equal(serial, after.GetProperty("serial").GetString());
        var curl = await CurlAsync(stack, "app.test", "/");
        Assert.True(curl.Out.StartsWith("200 ", StringComparison.Ordinal), $"curl: {curl.Out} {curl.Err}");
    }

    [SkippableFact]
    public async Task DirectoryThatDoesNotAnswer_ClearErrorInCertsList()
    {
        await using var stack = await HttpsStack.StartAsync(directory: $"https://127.0.0.1:{FreePort.Next()}/dir");
        var spec = new TestAppSpec { App = "app" };
        await stack.Slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await stack.Slipway.Admin.DeploySucceededAsync(spec.App, stack.Sources.Version(spec, "app v1"));
        var row = await stack.WaitForCertificateAsync("app.test",
            r => r.TryGetProperty("acme", out var a) && a.GetProperty("state").GetString() == "failing", IssueDeadline, "the unreachable directory to fail");
        Assert.Contains("does not answer", row.GetProperty("acme").GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.False(row.TryGetProperty("source", out var source) && source.ValueKind == System.Text.Json.JsonValueKind.String);

        // No certificate: plain HTTP keeps serving the app instead of redirecting to a TLS listener that has nothing for it.
        var (status, body) = await stack.Slipway.EdgeGetAsync("app.test", "/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("app v1", body, StringComparison.Ordinal);
    }

    internal static async Task<(string Out, string Err)> CurlAsync(HttpsStack stack, string host, string path)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-sS", "--max-time", "20", "--resolve", $"{host}:{stack.HttpsPort}:127.0.0.1", "--cacert", stack.Pebble.IssuingRootFile,
            "-w", "\n%{http_code} %{http_version}", "-o", "-", $"https://{host}:{stack.HttpsPort}{path}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(start)!;
        var stdout = curl.StandardOutput.ReadToEndAsync();
        var stderr = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        // -w is printed after the body, on its own line; put the status and HTTP version first.
        var text = await stdout;
        var marker = text.LastIndexOf('\n');
        return (marker >= 0 ? text[(marker + 1)..] + " " + text[..marker] : text, await stderr);
    }

    private static (string Cert, string Key) SelfSigned(string dir, string name, string host, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        var cert = Path.Combine(dir, name + ".crt");
        var keyFile = Path.Combine(dir, name + ".key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (cert, keyFile);
    }
}
