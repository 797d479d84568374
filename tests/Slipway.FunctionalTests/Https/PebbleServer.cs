using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Slipway.FunctionalTests.Infrastructure;
using Xunit;

namespace Slipway.FunctionalTests.Https;

/// <summary>
/// Let's Encrypt's test ACME server (Debian's <c>pebble</c>) with <c>pebble-challtestsrv</c> as its DNS, which
/// answers every name with 127.0.0.1; its validation authority connects to the edge's HTTP and TLS ports
/// given here. Started and torn down by the test. Without pebble the test skips with the reason, unless
/// <c>SLIPWAY_REQUIRE_PEBBLE=1</c> (set by <c>.ci/run</c>), where it fails instead.
/// </summary>
internal sealed class PebbleServer : IAsyncDisposable
{
    public const string Pebble = "/usr/bin/pebble";
    public const string ChallTestSrv = "/usr/bin/pebble-challtestsrv";

    /// <summary>A name the server refuses to issue for (its domain blocklist).</summary>
    public const string BlockedName = "blocked.test";

    private readonly string _directory;
    private readonly int _port;
    private readonly int _managementPort;
    private readonly StringBuilder _output = new();
    private Process? _dns;
    private Process? _pebble;

    private PebbleServer(string directory)
    {
        _directory = directory;
        _port = FreePort.Next();
        _managementPort = FreePort.Next();
        DirectoryUrl = $"https://127.0.0.1:{_port}/dir";
        ManagementUrl = $"https://127.0.0.1:{_managementPort}";
        ListenerRootFile = Path.Combine(directory, "listener.pem");
        IssuingRootFile = Path.Combine(directory, "issuing-root.pem");
    }

    public string DirectoryUrl { get; }

    public string ManagementUrl { get; }

    /// <summary>The self-signed certificate of Pebble's own HTTPS listener (the edge's <c>--acme-ca-root</c>).</summary>
    public string ListenerRootFile { get; }

    /// <summary>The root Pebble issues under (what clients of the edge trust).</summary>
    public string IssuingRootFile { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static void Require()
    {
        if (File.Exists(Pebble) && File.Exists(ChallTestSrv))
        {
            return;
        }

        var reason = $"pebble is not installed ({Pebble}, {ChallTestSrv}); apt-get install pebble";
        if (Environment.GetEnvironmentVariable("SLIPWAY_REQUIRE_PEBBLE") == "1")
        {
            throw new InvalidOperationException($"SLIPWAY_REQUIRE_PEBBLE=1 but {reason}.");
        }

        Skip.If(true, reason);
    }

    /// <summary>Picks Pebble's ports and writes its listener certificate, so its directory URL and root are known before it starts.</summary>
    public static PebbleServer Prepare()
    {
        Require();
        var server = new PebbleServer(Directory.CreateTempSubdirectory("slipway-pebble-").FullName);
        WriteListenerCertificate(server._directory);
        return server;
    }

    /// <summary>
    /// Starts the DNS and Pebble. <paramref name="httpPort"/> and <paramref name="tlsPort"/> are where validation
    /// connects for HTTP-01 and TLS-ALPN-01; <paramref name="validity"/> shortens issued certificates.
    /// </summary>
    public async Task StartAsync(int httpPort, int tlsPort, TimeSpan? validity = null)
    {
        var directory = _directory;
        var dnsPort = FreePort.Next();
        var config = new Dictionary<string, object>
        {
            ["pebble"] = new Dictionary<string, object>
            {
                ["listenAddress"] = $"127.0.0.1:{_port}",
                ["managementListenAddress"] = $"127.0.0.1:{_managementPort}",
                ["certificate"] = Path.Combine(directory, "listener.pem"),
                ["privateKey"] = Path.Combine(directory, "listener.key"),
                ["httpPort"] = httpPort,
                ["tlsPort"] = tlsPort,
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
                ["domainBlocklist"] = new[] { BlockedName },
                ["certificateValidityPeriod"] = (ulong)(validity ?? TimeSpan.FromDays(90)).TotalSeconds,
            },
        };
        var configFile = Path.Combine(directory, "pebble.json");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(config));

        var dns = _dns = Start(ChallTestSrv, ["-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", $"127.0.0.1:{dnsPort}", "-http01", "", "-https01", "",
            "-tlsalpn01", "", "-management", $"127.0.0.1:{FreePort.Next()}"], null);
        var pebble = _pebble = Start(Pebble, ["-config", configFile, "-dnsserver", $"127.0.0.1:{dnsPort}"],
            new Dictionary<string, string> { ["PEBBLE_VA_NOSLEEP"] = "1" });
        dns.OutputDataReceived += (_, e) => Append("dns", e.Data);
        dns.ErrorDataReceived += (_, e) => Append("dns", e.Data);
        pebble.OutputDataReceived += (_, e) => Append("pebble", e.Data);
        pebble.ErrorDataReceived += (_, e) => Append("pebble", e.Data);
        foreach (var process in new[] { dns, pebble })
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        using var client = TrustingClient();
        await Poll.UntilAsync(async () =>
        {
            if (pebble.HasExited || dns.HasExited)
            {
                throw new InvalidOperationException($"pebble or its DNS exited:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(DirectoryUrl);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"pebble to answer at {DirectoryUrl}:\n{Output}");
        await File.WriteAllTextAsync(IssuingRootFile, await client.GetStringAsync($"{ManagementUrl}/roots/0"));
    }

    /// <summary>An HTTP client that trusts Pebble's listener certificate.</summary>
    public HttpClient TrustingClient()
    {
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(ListenerRootFile));
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            errors == SslPolicyErrors.None || (certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(root.GetCertHash()));
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static void WriteListenerCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pebble test listener", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(Path.Combine(directory, "listener.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "listener.key"), key.ExportECPrivateKeyPem());
    }

    private static Process Start(string program, IEnumerable<string> arguments, Dictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
    }

    private void Append(string who, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(who).Append(": ").AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _pebble, _dns })
        {
            if (process is null)
            {
                continue;
            }

            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
