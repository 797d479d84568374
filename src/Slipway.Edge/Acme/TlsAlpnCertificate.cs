using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Acme;

/// <summary>
/// RFC 8737 §3: the self-signed certificate answering a TLS-ALPN-01 challenge: the name as its only
/// subjectAltName and the critical acmeIdentifier extension holding SHA-256 of the key authorization.
/// </summary>
internal static class TlsAlpnCertificate
{
    private const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    public static ServedCertificate Create(string host, string keyAuthorization, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));
        // The extension value is the DER OCTET STRING of the digest: tag 0x04, length 32, the bytes.
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, [0x04, 0x20, .. digest], critical: true));
        var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        return new ServedCertificate(host, "acme-challenge", certificate, [], [TlsDefaults.AcmeTls]);
    }
}
