using System.Net.Security;
using System.Security.Authentication;

namespace Slipway.Edge.Tls;

/// <summary>What every TLS handshake of the edge allows: TLS 1.2 and 1.3 with forward-secret AEAD suites only.</summary>
internal static class TlsDefaults
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>ALPN for ordinary clients: HTTP/2 first, then HTTP/1.1.</summary>
    public static readonly List<SslApplicationProtocol> HttpProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>RFC 8737: the only protocol a TLS-ALPN-01 validation offers and accepts.</summary>
    public static readonly SslApplicationProtocol AcmeTls = new("acme-tls/1");

    private static readonly CipherSuitesPolicy Ciphers = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    public static SslServerAuthenticationOptions ServerOptions(SslStreamCertificateContext context, List<SslApplicationProtocol> protocols) => new()
    {
        ServerCertificateContext = context,
        EnabledSslProtocols = Protocols,
        CipherSuitesPolicy = Ciphers,
        ApplicationProtocols = protocols,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
    };
}
