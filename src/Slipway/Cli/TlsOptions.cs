using System.CommandLine;
using Slipway.Edge.Acme;
using Slipway.Edge.Hosting;

namespace Slipway.Cli;

/// <summary>The HTTPS options of <c>slipway up</c> and <c>slipway edge</c>: the TLS listener and the ACME server.</summary>
internal static class TlsOptions
{
    public static readonly Option<string?> Https = new("--https")
    {
        Description = "TLS listener, HOST:PORT, e.g. 0.0.0.0:443 (default: SLIPWAY_EDGE_HTTPS, else none). Certificates by SNI; ACME for `tls: auto` routes.",
    };

    public static readonly Option<string?> AcmeDirectory = new("--acme-directory")
    {
        Description = $"ACME directory URL (default: SLIPWAY_ACME_DIRECTORY, else Let's Encrypt, {AcmeOptions.LetsEncrypt}).",
    };

    public static readonly Option<bool> AcmeStaging = new("--acme-staging")
    {
        Description = "Use Let's Encrypt's staging directory (untrusted certificates, generous rate limits) to try a setup.",
    };

    public static readonly Option<string?> AcmeEmail = new("--acme-email")
    {
        Description = "Contact e-mail given to the ACME CA (expiry notices). Using `tls: auto` agrees to the CA's terms of service.",
    };

    public static readonly Option<string?> AcmeCaRoot = new("--acme-ca-root")
    {
        Description = "PEM root that the ACME server's own HTTPS certificate chains to, for a private or test CA such as Pebble (default: SLIPWAY_ACME_CA_ROOT).",
    };

    public static void Add(Command command)
    {
        command.Options.Add(Https);
        command.Options.Add(AcmeDirectory);
        command.Options.Add(AcmeStaging);
        command.Options.Add(AcmeEmail);
        command.Options.Add(AcmeCaRoot);
    }

    public static EdgeOptions Apply(EdgeOptions options, ParseResult parseResult)
    {
        var https = EdgeCommand.Pick(parseResult.GetValue(Https), "SLIPWAY_EDGE_HTTPS", "");
        var directory = parseResult.GetValue(AcmeStaging)
            ? AcmeOptions.LetsEncryptStaging
            : EdgeCommand.Pick(parseResult.GetValue(AcmeDirectory), "SLIPWAY_ACME_DIRECTORY", AcmeOptions.LetsEncrypt);
        var root = EdgeCommand.Pick(parseResult.GetValue(AcmeCaRoot), "SLIPWAY_ACME_CA_ROOT", "");
        return options with
        {
            Https = https.Length == 0 ? null : https,
            Acme = new AcmeOptions
            {
                Directory = directory,
                Email = EdgeCommand.Pick(parseResult.GetValue(AcmeEmail), "SLIPWAY_ACME_EMAIL", "") is { Length: > 0 } email ? email : null,
                CaRootFile = root.Length == 0 ? null : Path.GetFullPath(root),
            },
        };
    }
}
