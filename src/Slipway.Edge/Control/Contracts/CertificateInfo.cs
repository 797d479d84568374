using Slipway.Edge.Acme;

namespace Slipway.Edge.Control.Contracts;

/// <summary>One row of <c>GET /certificates</c>: a served certificate and/or the ACME state of a <c>tls: auto</c> name. Never a key.</summary>
public sealed record CertificateInfo
{
    public string Host { get; init; } = "";

    /// <summary><c>files</c>, <c>acme</c>, or null while an auto name has no certificate yet.</summary>
    public string? Source { get; init; }

    public string? Issuer { get; init; }

    public IReadOnlyList<string> Names { get; init; } = [];

    public string? Serial { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    public double? DaysLeft { get; init; }

    public AcmeHostStatus? Acme { get; init; }
}
