namespace Slipway.Edge.Control.Contracts;

/// <summary>Body of <c>POST /certificates</c>: a PEM chain (leaf first) and its unencrypted PEM key.</summary>
public sealed record AddCertificateRequest
{
    public string Host { get; init; } = "";

    public string CertificatePem { get; init; } = "";

    public string KeyPem { get; init; } = "";
}
