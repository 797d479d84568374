using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Slipway.Edge.Acme;

namespace Slipway.Edge.Tests.Acme;

/// <summary>The JWS an ACME server verifies: ES256 over protected.payload with the key in the header.</summary>
public sealed class AcmeSignerTests
{
    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    [Fact]
    public void Sign_NewAccount_VerifiesWithTheJwkInItsHeader()
    {
        using var signer = AcmeSigner.Create();
        var body = JsonDocument.Parse(signer.Sign("https://ca.test/new-acct", "nonce-1", null, new { termsOfServiceAgreed = true })).RootElement;
        var protectedPart = body.GetProperty("protected").GetString()!;
        var payloadPart = body.GetProperty("payload").GetString()!;
        var header = JsonDocument.Parse(FromBase64Url(protectedPart)).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("nonce-1", header.GetProperty("nonce").GetString());
        Assert.Equal("https://ca.test/new-acct", header.GetProperty("url").GetString());
        Assert.False(header.TryGetProperty("kid", out _));
        var jwk = header.GetProperty("jwk");
        Assert.True(JsonDocument.Parse(FromBase64Url(payloadPart)).RootElement.GetProperty("termsOfServiceAgreed").GetBoolean());

        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = FromBase64Url(jwk.GetProperty("x").GetString()!), Y = FromBase64Url(jwk.GetProperty("y").GetString()!) },
        });
        var signature = FromBase64Url(body.GetProperty("signature").GetString()!);
        Assert.Equal(64, signature.Length);
        Assert.True(verifier.VerifyData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), signature, HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        // RFC 7638 thumbprint over the canonical JWK.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk.GetProperty("x").GetString()}\",\"y\":\"{jwk.GetProperty("y").GetString()}\"}}";
        Assert.Equal(Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), signer.Thumbprint);
        Assert.Equal("tok." + signer.Thumbprint, signer.KeyAuthorization("tok"));
    }

    [Fact]
    public void Sign_PostAsGetWithAccount_UsesKidAndAnEmptyPayload()
    {
        using var signer = AcmeSigner.Create();
        var body = JsonDocument.Parse(signer.Sign("https://ca.test/order/1", "n", "https://ca.test/acct/7", null)).RootElement;
        Assert.Equal("", body.GetProperty("payload").GetString());
        var header = JsonDocument.Parse(FromBase64Url(body.GetProperty("protected").GetString()!)).RootElement;
        Assert.Equal("https://ca.test/acct/7", header.GetProperty("kid").GetString());
        Assert.False(header.TryGetProperty("jwk", out _));
    }

    [Fact]
    public void FromPkcs8_SameKey_SameThumbprint()
    {
        using var signer = AcmeSigner.Create();
        using var again = AcmeSigner.FromPkcs8(signer.ExportPkcs8());
        Assert.Equal(signer.Thumbprint, again.Thumbprint);
    }
}
