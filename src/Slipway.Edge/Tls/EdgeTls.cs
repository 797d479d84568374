using System.Text.Json;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Acme;
using Slipway.Edge.Hosting;
using Slipway.Edge.Observability;
using Slipway.Edge.Services;

namespace Slipway.Edge.Tls;

/// <summary>
/// The edge's HTTPS parts in one place: served certificates, route TLS policies, challenge answers, the
/// front middleware and, with a TLS listener, the ACME renewer. Without a TLS listener certificates can
/// still be managed but nothing redirects and nothing is ordered.
/// </summary>
internal sealed class EdgeTls : IAsyncDisposable
{
    private readonly ServiceRegistry _services;
    private readonly CertificateMetrics _metrics;

    private EdgeTls(EdgeOptions options, ServiceRegistry services, int? httpsPort, ILoggerFactory loggerFactory)
    {
        _services = services;
        HttpsPort = httpsPort;
        var time = options.TimeProvider;
        Directory.CreateDirectory(Path.GetDirectoryName(options.CertificateJournalPath)!);
        Certificates = new CertificateManager(options.CertificateDirectory, Store, new CertificateJournal(options.CertificateJournalPath, time), time,
            loggerFactory.CreateLogger<CertificateManager>());
        Certificates.LoadAll();
        Policies.Rebuild(services.Export());
        Front = new HttpsFront(Policies, Store, Challenges, () => HttpsPort);
        Listener = new TlsListenerSetup(Store, Challenges.TlsAlpnCertificate, loggerFactory.CreateLogger<TlsListenerSetup>());
        if (httpsPort is not null)
        {
            Renewer = new CertificateRenewer(options.Acme, options.AcmeDirectory, Certificates, Challenges, Policies, time, loggerFactory.CreateLogger<CertificateRenewer>());
        }

        _metrics = new CertificateMetrics(Store, () => Renewer?.Statuses ?? [], time);
        services.Changed += OnServicesChanged;
    }

    public CertificateStore Store { get; } = new();

    public CertificateManager Certificates { get; }

    public TlsPolicyTable Policies { get; } = new();

    public ChallengeResponder Challenges { get; } = new();

    public HttpsFront Front { get; }

    public TlsListenerSetup Listener { get; }

    /// <summary>Null without a TLS listener.</summary>
    public CertificateRenewer? Renewer { get; }

    public int? HttpsPort { get; }

    public static EdgeTls Create(EdgeOptions options, ServiceRegistry services, int? httpsPort, ILoggerFactory loggerFactory) =>
        new(options, services, httpsPort, loggerFactory);

    /// <summary>Keeps the ACME settings beside the certificates, so the new edge of an upgrade renews with the same CA and account.</summary>
    public static void SaveAcmeSettings(EdgeOptions options)
    {
        Directory.CreateDirectory(options.AcmeDirectory);
        Persistence.AtomicFile.WriteAllText(Path.Combine(options.AcmeDirectory, "settings.json"), JsonSerializer.Serialize(options.Acme, AcmeJson.Options),
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static AcmeOptions LoadAcmeSettings(EdgeOptions options)
    {
        var path = Path.Combine(options.AcmeDirectory, "settings.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<AcmeOptions>(File.ReadAllText(path), AcmeJson.Options) ?? options.Acme : options.Acme;
    }

    public void Start() => Renewer?.Start();

    private void OnServicesChanged()
    {
        Policies.Rebuild(_services.Export());
        Renewer?.Signal();
    }

    public async ValueTask DisposeAsync()
    {
        _services.Changed -= OnServicesChanged;
        if (Renewer is not null)
        {
            await Renewer.DisposeAsync();
        }

        _metrics.Dispose();
    }
}
