using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Tests.Tls;

public sealed class CertificatePemTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static (string Cert, string Key) Pem(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public void Load_ValidPair_HasKeyAndChain()
    {
        var (cert, key) = Pem("app.example.com", Now.AddDays(-1), Now.AddDays(30));
        var (intermediate, _) = Pem("Intermediate", Now.AddDays(-10), Now.AddDays(300));
        var (leaf, chain) = CertificatePem.Load("app.example.com", cert + "\n" + intermediate, key, Now);
        Assert.True(leaf.HasPrivateKey);
        Assert.Single(chain);
    }

    [Fact]
    public void Load_KeyOfAnotherCertificate_RefusedOnKey()
    {
        var (cert, _) = Pem("app.example.com", Now.AddDays(-1), Now.AddDays(30));
        var (_, otherKey) = Pem("app.example.com", Now.AddDays(-1), Now.AddDays(30));
        var error = Assert.Throws<CertificateRejectedException>(() => CertificatePem.Load("app.example.com", cert, otherKey, Now));
        Assert.Equal("key", error.Field);
        Assert.Contains("does not belong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Expired_RefusedWithTheDate()
    {
        var (cert, key) = Pem("app.example.com", Now.AddDays(-30), Now.AddDays(-1));
        var error = Assert.Throws<CertificateRejectedException>(() => CertificatePem.Load("app.example.com", cert, key, Now));
        Assert.Equal("cert", error.Field);
        Assert.Contains("expired on 2026-05-31", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotYetValid_Refused()
    {
        var (cert, key) = Pem("app.example.com", Now.AddDays(1), Now.AddDays(30));
        var error = Assert.Throws<CertificateRejectedException>(() => CertificatePem.Load("app.example.com", cert, key, Now));
        Assert.Contains("not valid yet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherName_RefusedNamingBoth()
    {
        var (cert, key) = Pem("other.example.com", Now.AddDays(-1), Now.AddDays(30));
        var error = Assert.Throws<CertificateRejectedException>(() => CertificatePem.Load("app.example.com", cert, key, Now));
        Assert.Equal("host", error.Field);
        Assert.Contains("other.example.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WildcardHostWithExactCertificate_Refused()
    {
        var (cert, key) = Pem("a.example.com", Now.AddDays(-1), Now.AddDays(30));
        Assert.Throws<CertificateRejectedException>(() => CertificatePem.Load("*.example.com", cert, key, Now));
        var (wild, wildKey) = Pem("*.example.com", Now.AddDays(-1), Now.AddDays(30));
        Assert.True(CertificatePem.Load("*.example.com", wild, wildKey, Now).Leaf.HasPrivateKey);
    }

    [Fact]
    public void Load_NotPem_Refused()
    {
        var error = Assert.Throws<CertificateRejectedException>(() => CertificatePem.Load("app.example.com", "hello", "world", Now));
        Assert.Equal("cert", error.Field);
    }
}
