using System.Text.Json;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control;
using Slipway.Edge.Persistence;

namespace Slipway.Edge.Tls;

/// <summary>
/// The certificates of this edge: kept in <c>HOME/edge/certs</c> (one 0600 file per host), loaded at start,
/// added, replaced and removed by <c>slipway certs</c> and by ACME. Every change is validated first, written
/// durably, then swapped into the <see cref="CertificateStore"/> in one step; a refused change leaves both the
/// files and the served set as they were.
/// </summary>
internal sealed partial class CertificateManager(string directory, CertificateStore store, CertificateJournal journal, TimeProvider time, ILogger logger)
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Lock _write = new();

    public CertificateStore Store { get; } = store;

    public CertificateJournal Journal { get; } = journal;

    /// <summary>Called after the served set changed (metrics, the redirect check read it).</summary>
    public event Action? Changed;

    /// <summary>Loads every stored certificate; one that cannot be served any more is logged and left out.</summary>
    public void LoadAll()
    {
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, Private | UnixFileMode.UserExecute);
        var loaded = new List<ServedCertificate>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                var stored = JsonSerializer.Deserialize<StoredCertificate>(File.ReadAllText(file), ControlJson.Options);
                if (stored is null)
                {
                    continue;
                }

                // Expired certificates are still served after a restart: a client error beats no answer, and renewal replaces them.
                var (leaf, chain) = CertificatePem.Load(stored.Host, stored.CertificatePem, stored.KeyPem, ValidInstant(stored));
                loaded.Add(new ServedCertificate(stored.Host, stored.Source, leaf, chain));
            }
            catch (Exception ex) when (ex is JsonException or CertificateRejectedException or IOException)
            {
                Log.LoadFailed(logger, Path.GetFileName(file), ex.Message);
            }
        }

        Store.Replace(new CertificateSet(loaded));
        Log.Loaded(logger, loaded.Count, directory);
        Changed?.Invoke();
    }

    /// <summary>Validates and serves a certificate for <paramref name="host"/>; throws <see cref="CertificateRejectedException"/> and changes nothing when it cannot be served.</summary>
    public ServedCertificate Add(string host, string certificatePem, string keyPem, string source)
    {
        host = CertificateHost.Normalize(host);
        if (!CertificateHost.IsValid(host))
        {
            throw new CertificateRejectedException(
                $"'{host}' is not a host name; give a name (app.example.com), a wildcard (*.example.com) or * for the default certificate.", "host");
        }

        var (leaf, chain) = CertificatePem.Load(host, certificatePem, keyPem, time.GetUtcNow());
        var served = new ServedCertificate(host, source, leaf, chain);
        var stored = new StoredCertificate { Host = host, Source = source, CertificatePem = certificatePem, KeyPem = keyPem, AddedAt = time.GetUtcNow() };
        lock (_write)
        {
            Directory.CreateDirectory(directory);
            AtomicFile.WriteAllText(PathOf(host), JsonSerializer.Serialize(stored, ControlJson.Options), Private);
            var others = Store.Current.All.Where(c => c.Host != host);
            Store.Replace(new CertificateSet([.. others, served]));
        }

        Journal.Append("cert.added", host, $"{source}; serial {leaf.SerialNumber}; not after {served.NotAfter:yyyy-MM-dd HH:mm:ss} UTC; {CertificatePem.Names(leaf)}");
        Log.Added(logger, host, source, served.NotAfter);
        Changed?.Invoke();
        return served;
    }

    public bool Remove(string host)
    {
        host = CertificateHost.Normalize(host);
        lock (_write)
        {
            if (Store.Current.Get(host) is null)
            {
                return false;
            }

            File.Delete(PathOf(host));
            AtomicFile.SyncDirectory(directory);
            Store.Replace(new CertificateSet(Store.Current.All.Where(c => c.Host != host)));
        }

        Journal.Append("cert.removed", host);
        Log.Removed(logger, host);
        Changed?.Invoke();
        return true;
    }

    private string PathOf(string host) => Path.Combine(directory, CertificateHost.FileName(host) + ".json");

    /// <summary>The instant a stored certificate is checked at: now, or within its validity if it has expired since.</summary>
    private DateTimeOffset ValidInstant(StoredCertificate stored)
    {
        var now = time.GetUtcNow();
        try
        {
            var leaf = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(stored.CertificatePem);
            return now > leaf.NotAfter.ToUniversalTime() ? leaf.NotAfter.ToUniversalTime() : now;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return now;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Serving {Count} certificate(s) from {Directory}")]
        public static partial void Loaded(ILogger logger, int count, string directory);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Stored certificate {File} is not served: {Reason}")]
        public static partial void LoadFailed(ILogger logger, string file, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Serving a new certificate for {Host} ({Source}, valid until {NotAfter:u})")]
        public static partial void Added(ILogger logger, string host, string source, DateTimeOffset notAfter);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Stopped serving the certificate for {Host}")]
        public static partial void Removed(ILogger logger, string host);
    }
}
