using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Slipway.Edge.Tls;

/// <summary>
/// A certificate the TLS listener serves for <see cref="Host"/> (exact, <c>*.domain</c>, or <c>*</c> for the
/// default). Holds one <see cref="SslServerAuthenticationOptions"/> reused by every handshake, so the TLS
/// library keeps one context per certificate (session resumption, no per-connection chain building).
/// </summary>
internal sealed class ServedCertificate
{
    public ServedCertificate(string host, string source, X509Certificate2 leaf, X509Certificate2Collection chain, List<SslApplicationProtocol>? protocols = null)
    {
        Host = host;
        Source = source;
        Leaf = leaf;
        Chain = chain;
        Context = SslStreamCertificateContext.Create(leaf, chain, offline: true);
        Options = TlsDefaults.ServerOptions(Context, protocols ?? TlsDefaults.HttpProtocols);
    }

    /// <summary>The intermediates sent after the leaf.</summary>
    public X509Certificate2Collection Chain { get; }

    public string Host { get; }

    /// <summary><c>files</c> (added by <c>slipway certs add</c>) or <c>acme</c>.</summary>
    public string Source { get; }

    public X509Certificate2 Leaf { get; }

    public SslStreamCertificateContext Context { get; }

    public SslServerAuthenticationOptions Options { get; }

    public DateTimeOffset NotBefore => new(Leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    public DateTimeOffset NotAfter => new(Leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
}
