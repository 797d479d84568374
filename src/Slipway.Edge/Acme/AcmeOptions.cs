namespace Slipway.Edge.Acme;

/// <summary>Where and as whom the edge gets certificates for <c>tls: auto</c> routes.</summary>
public sealed record AcmeOptions
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";
    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <summary>The ACME directory URL (<c>--acme-directory</c>; <c>--acme-staging</c> picks Let's Encrypt's staging).</summary>
    public string Directory { get; init; } = LetsEncrypt;

    /// <summary>Contact address given to the CA for expiry notices (<c>--acme-email</c>).</summary>
    public string? Email { get; init; }

    /// <summary>PEM file of an extra root the ACME server's own HTTPS certificate chains to (a test server such as Pebble).</summary>
    public string? CaRootFile { get; init; }
}
