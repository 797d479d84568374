using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Tests.Tls;

public sealed class CertificateSetTests
{
    internal static ServedCertificate Served(string host, params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names.Length == 0 ? [host] : names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        return new ServedCertificate(host, "files", request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)), []);
    }

    [Fact]
    public void Select_ExactBeatsWildcardBeatsDefault()
    {
        var exact = Served("a.example.com");
        var wildcard = Served("*.example.com");
        var fallback = Served("*", "default.example");
        var set = new CertificateSet([exact, wildcard, fallback]);

        Assert.Same(exact, set.Select("a.example.com"));
        Assert.Same(exact, set.Select("A.Example.COM."));
        Assert.Same(wildcard, set.Select("b.example.com"));
        // A wildcard covers one label only.
        Assert.Same(fallback, set.Select("x.b.example.com"));
        Assert.Same(fallback, set.Select("example.com"));
        Assert.Same(fallback, set.Select(null));
        Assert.True(set.Covers("b.example.com"));
        Assert.False(set.Covers("other.test"));
    }

    [Fact]
    public void Select_NoMatchAndNoDefault_IsNull()
    {
        var set = new CertificateSet([Served("a.example.com")]);
        Assert.Null(set.Select("b.example.com"));
        Assert.Null(set.Select(""));
    }

    [Fact]
    public void Replace_ReadersSeeWholeSets()
    {
        var store = new CertificateStore();
        var first = new CertificateSet([Served("a.example.com")]);
        var second = new CertificateSet([Served("a.example.com"), Served("b.example.com")]);
        store.Replace(first);
        var before = store.Current;
        store.Replace(second);
        Assert.Same(first, before);
        Assert.Same(second, store.Current);
        Assert.NotNull(store.Current.Select("b.example.com"));
    }
}
