using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Slipway.Edge.Tls;

/// <summary>
/// Turns a PEM chain and key into something the TLS listener can serve, refusing (with
/// <see cref="CertificateRejectedException"/>) what would fail clients: no certificate, a key of another
/// certificate, a certificate not valid now, a certificate that does not name the host.
/// </summary>
internal static class CertificatePem
{
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) Load(string host, string certificatePem, string keyPem, DateTimeOffset now)
    {
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateRejectedException($"The certificate file is not valid PEM ({ex.Message}); give the PEM chain, leaf first.", "cert");
        }

        if (all.Count == 0)
        {
            throw new CertificateRejectedException("The certificate file holds no `-----BEGIN CERTIFICATE-----` block; give the PEM chain, leaf first.", "cert");
        }

        var leaf = all[0];
        var chain = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            chain.Add(all[i]);
        }

        X509Certificate2 withKey;
        try
        {
            withKey = X509Certificate2.CreateFromPem(leaf.ExportCertificatePem(), keyPem);
        }
        catch (CryptographicException ex) when (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new CertificateRejectedException($"The key file holds no PEM private key ({ex.Message}); give the unencrypted private key (`-----BEGIN PRIVATE KEY-----`).", "key");
        }
        catch (CryptographicException ex) when (keyPem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new CertificateRejectedException($"The key is encrypted ({ex.Message}); decrypt it first (`openssl pkey -in KEY -out KEY.plain`).", "key");
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new CertificateRejectedException(
                $"The private key does not belong to the certificate for {leaf.Subject} ({ex.Message}); give the key the certificate was issued for.", "key");
        }

        if (now < leaf.NotBefore.ToUniversalTime())
        {
            throw new CertificateRejectedException(
                $"The certificate is not valid yet: it starts on {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC. Add it once it is valid.", "cert");
        }

        if (now > leaf.NotAfter.ToUniversalTime())
        {
            throw new CertificateRejectedException(
                $"The certificate expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; renew it and add the new one.", "cert");
        }

        if (host != "*")
        {
            // A wildcard host must be served by a wildcard certificate: probe with a label no exact certificate has.
            var probe = host.StartsWith("*.", StringComparison.Ordinal) ? "slipway-probe" + host[1..] : host;
            if (!withKey.MatchesHostname(probe, allowWildcards: true, allowCommonName: false))
            {
                throw new CertificateRejectedException(
                    $"The certificate does not name {host} (it names {Names(withKey)}); use a certificate issued for {host}.", "host");
            }
        }

        return (withKey, chain);
    }

    public static string Names(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        return names.Count > 0 ? string.Join(", ", names) : certificate.Subject;
    }
}
