using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Slipway.FunctionalTests.Cli;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Https;

/// <summary>
/// The real <c>slipway up --https</c> pointed at a real Pebble, plus clients that reach the edge's TLS
/// listener as <c>NAME:PORT</c> resolved to 127.0.0.1 and trust Pebble's issuing root (like
/// <c>curl --resolve --cacert</c>).
/// </summary>
internal sealed class HttpsStack : IAsyncDisposable
{
    private HttpsStack(SlipwayProcess slipway, PebbleServer pebble, int httpsPort)
    {
        Slipway = slipway;
        Pebble = pebble;
        HttpsPort = httpsPort;
    }

    public SlipwayProcess Slipway { get; private set; }

    public PebbleServer Pebble { get; }

    public int HttpsPort { get; }

    public AppSources Sources { get; } = new();

    /// <summary>
    /// Starts Slipway with a TLS listener, then Pebble validating against the edge's HTTP port (or an unused one when
    /// <paramref name="httpChallengeReachable"/> is false) and its TLS port. <paramref name="directory"/> overrides the
    /// ACME directory the edge uses (one that does not answer, say); Pebble still runs.
    /// </summary>
    public static async Task<HttpsStack> StartAsync(bool httpChallengeReachable = true, TimeSpan? validity = null, string? directory = null)
    {
        var pebble = PebbleServer.Prepare();
        var httpsPort = FreePort.Next();
        SlipwayProcess? slipway = null;
        try
        {
            slipway = await SlipwayProcess.StartAsync("up", workingDirectory: null, waitForReady: true, new Dictionary<string, string>
            {
                ["SLIPWAY_EDGE_HTTPS"] = $"127.0.0.1:{httpsPort}",
                ["SLIPWAY_ACME_DIRECTORY"] = directory ?? pebble.DirectoryUrl,
                ["SLIPWAY_ACME_CA_ROOT"] = pebble.ListenerRootFile,
                ["SLIPWAY_ACME_EMAIL"] = "ops@app.test",
            });
            await pebble.StartAsync(httpChallengeReachable ? slipway.HttpUrl.Port : FreePort.Next(), httpsPort, validity);
            return new HttpsStack(slipway, pebble, httpsPort);
        }
        catch
        {
            if (slipway is not null)
            {
                await slipway.DisposeAsync();
            }

            await pebble.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops Slipway (SIGTERM) and starts it again on the same home, listeners and settings.</summary>
    public async Task RestartAsync() => Slipway = await Slipway.RestartAsync();

    public Uri HttpsUrl(string host) => new($"https://{host}:{HttpsPort}/");

    /// <summary>A handler that connects every name to the edge's TLS port and trusts only Pebble's issuing root; records the served certificate.</summary>
    public SocketsHttpHandler Handler(Action<X509Certificate2>? served = null)
    {
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(Pebble.IssuingRootFile));
        var port = HttpsPort;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            if (certificate is not X509Certificate2 leaf || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(root);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            var ok = custom.Build(leaf);
            if (ok)
            {
                served?.Invoke(leaf);
            }

            return ok;
        };
        return handler;
    }

    /// <summary><c>slipway certs list --json</c> through the real CLI.</summary>
    public async Task<JsonElement> CertificatesAsync()
    {
        var run = await Slipway.CliAsync("certs", "list", "--json");
        Assert.True(run.ExitCode == 0, $"certs list exited {run.ExitCode}: {run.Stdout}{run.Stderr}");
        using var document = JsonDocument.Parse(run.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// A row served from ACME whose ACME state says how it was issued. The certificate is served a moment before the
    /// renewer records its state (CertificateRenewer.AttemptAsync), so a row can be <c>acme</c> and still "issuing".
    /// </summary>
    public static bool IssuedByAcme(JsonElement row) =>
        row.TryGetProperty("source", out var source) && source.GetString() == "acme"
        && row.TryGetProperty("acme", out var acme) && acme.ValueKind == JsonValueKind.Object
        && acme.TryGetProperty("challenge", out var challenge) && challenge.ValueKind == JsonValueKind.String;

    /// <summary>The row of <paramref name="host"/> in <c>certs list --json</c> once <paramref name="done"/> holds.</summary>
    public Task<JsonElement> WaitForCertificateAsync(string host, Func<JsonElement, bool> done, TimeSpan deadline, string what) =>
        Poll.ForAsync(
            async () => (await CertificatesAsync()).EnumerateArray().FirstOrDefault(c => c.GetProperty("host").GetString() == host),
            row => row.ValueKind == JsonValueKind.Object && done(row),
            deadline,
            $"{what}; pebble:\n{Pebble.Output}\nslipway:\n{Slipway.Output}");

    public async ValueTask DisposeAsync()
    {
        // After an upgrade the new edge runs detached from the test; stop it before the home goes.
        await DetachedEdge.StopAsync(Slipway.Home, Slipway.ProcessId);
        await Slipway.DisposeAsync();
        await Pebble.DisposeAsync();
        Sources.Dispose();
    }
}
