namespace Slipway.Edge.Tls;

/// <summary>One served certificate on disk (<c>HOME/edge/certs/HOST.json</c>, mode 0600): the chain and its key in one atomically written file.</summary>
internal sealed record StoredCertificate
{
    public string Host { get; init; } = "";

    /// <summary><c>files</c> or <c>acme</c>.</summary>
    public string Source { get; init; } = "files";

    public string CertificatePem { get; init; } = "";

    public string KeyPem { get; init; } = "";

    public DateTimeOffset AddedAt { get; init; }
}
