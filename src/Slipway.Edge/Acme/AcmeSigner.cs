using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Slipway.Edge.Acme;

/// <summary>
/// The account key (ECDSA P-256) and the JWS it signs requests with (RFC 8555 §6.2, RFC 7518 ES256):
/// flattened JSON, <c>jwk</c> in the header until the account URL (<c>kid</c>) is known.
/// </summary>
internal sealed class AcmeSigner : IDisposable
{
    private readonly ECDsa _key;

    public AcmeSigner(ECDsa key)
    {
        _key = key;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        X = Base64Url.Encode(parameters.Q.X);
        Y = Base64Url.Encode(parameters.Q.Y);
        // RFC 7638: members in lexicographic order, no whitespace.
        Thumbprint = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{X}\",\"y\":\"{Y}\"}}")));
    }

    private string X { get; }

    private string Y { get; }

    /// <summary>The JWK thumbprint that ends every key authorization.</summary>
    public string Thumbprint { get; }

    public static AcmeSigner Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static AcmeSigner FromPkcs8(byte[] pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return new AcmeSigner(key);
    }

    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    public string KeyAuthorization(string token) => token + "." + Thumbprint;

    /// <summary>The request body for <paramref name="url"/>; <paramref name="payload"/> null is a POST-as-GET (empty payload).</summary>
    public byte[] Sign(string url, string nonce, string? accountUrl, object? payload)
    {
        var header = new Dictionary<string, object>
        {
            ["alg"] = "ES256",
            ["nonce"] = nonce,
            ["url"] = url,
        };
        if (accountUrl is null)
        {
            header["jwk"] = new Dictionary<string, string> { ["crv"] = "P-256", ["kty"] = "EC", ["x"] = X, ["y"] = Y };
        }
        else
        {
            header["kid"] = accountUrl;
        }

        var protectedPart = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(header, AcmeJson.Options));
        var payloadPart = payload is null ? "" : Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), AcmeJson.Options));
        // IEEE P1363 (r || s), which is what JWS wants; not DER.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["protected"] = protectedPart,
            ["payload"] = payloadPart,
            ["signature"] = Base64Url.Encode(signature),
        });
    }

    public void Dispose() => _key.Dispose();
}
