using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Slipway.Edge.Hosting;

/// <summary>How an edge runs: its home directory and listeners. Validated by <see cref="EdgeHost.StartAsync"/> before anything starts.</summary>
public sealed record EdgeOptions
{
    public const string DefaultHttp = "127.0.0.1:8080";
    public const string DefaultAdmin = "127.0.0.1:7070";

    // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
    private const int MaximumSocketPathBytes = 107;

    /// <summary>The Slipway home (<c>SLIPWAY_HOME</c>); holds <c>edge.sock</c>, <c>edge/state.json</c> and <c>logs/</c>.</summary>
    public required string Home { get; init; }

    /// <summary>Public HTTP listener, <c>HOST:PORT</c> (port 0 picks a free port).</summary>
    public string Http { get; init; } = DefaultHttp;

    /// <summary>
    /// A second public listener speaking HTTP/2 with prior knowledge (h2c), <c>HOST:PORT</c>, for gRPC clients and
    /// load balancers in front of the edge; the same routes as <see cref="Http"/>. Null for none. (Cleartext
    /// Kestrel cannot tell HTTP/1.1 from HTTP/2 on one port, so HTTP/1.1 clients keep <see cref="Http"/>.)
    /// </summary>
    public string? H2c { get; init; }

    /// <summary>
    /// Peers (<c>CIDR,CIDR,...</c>) whose X-Forwarded-*, X-Real-IP and Forwarded headers are kept and appended to;
    /// everyone else's are replaced with what the edge saw. Null or empty: nobody's.
    /// </summary>
    public string? TrustedProxies { get; init; }

    /// <summary>Admin listener forwarding everything to the service <c>slipway</c>; null for none.</summary>
    public string? Admin { get; init; } = DefaultAdmin;

    /// <summary>TLS listener, <c>HOST:PORT</c> (<c>--https</c>); null for none. Certificates by SNI, ACME for <c>tls: auto</c> routes.</summary>
    public string? Https { get; init; }

    /// <summary>The ACME server and account used for <c>tls: auto</c> routes (only with <see cref="Https"/>).</summary>
    public Acme.AcmeOptions Acme { get; init; } = new();

    /// <summary>How long shutdown waits for in-flight requests before closing their connections.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(25);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How to run the output relay (<c>slipway relay-output</c>) that masks secrets in the output of processes that
    /// have them; null refuses such processes.
    /// </summary>
    public IReadOnlyList<string>? OutputRelay { get; init; }

    /// <summary>The service manager to tell about a new main process after an upgrade (<c>NOTIFY_SOCKET</c>); null for none.</summary>
    public SystemdNotify? Notify { get; init; }

    /// <summary>Null: log to the console.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    public string FullHome => Path.GetFullPath(Home);

    public string ControlSocketPath => Path.Combine(FullHome, "edge.sock");

    public string StatePath => Path.Combine(FullHome, "edge", "state.json");

    public string ProcessLogDirectory => Path.Combine(FullHome, "logs", "processes");

    /// <summary>Served certificates, one 0600 file per host.</summary>
    public string CertificateDirectory => Path.Combine(FullHome, "edge", "certs");

    /// <summary>ACME account keys (0600) and the ACME settings a new edge of an upgrade keeps using.</summary>
    public string AcmeDirectory => Path.Combine(FullHome, "edge", "acme");

    public string CertificateJournalPath => Path.Combine(FullHome, "logs", "certificates.log");

    /// <summary>The parsed <see cref="TrustedProxies"/>; throws <see cref="EdgeOptionsException"/> naming the option.</summary>
    public Forwarding.TrustedProxies ParseTrustedProxies() =>
        Forwarding.TrustedProxies.TryParse(TrustedProxies, out var proxies, out var error)
            ? proxies
            : throw new EdgeOptionsException("--trusted-proxies", error!);

    /// <summary>Throws <see cref="EdgeOptionsException"/> naming the option and what to do.</summary>
    public (IPEndPoint Http, IPEndPoint? Admin) Validate() => Validate(out _, out _);

    /// <inheritdoc cref="Validate()"/>
    public (IPEndPoint Http, IPEndPoint? Admin) Validate(out IPEndPoint? h2c) => Validate(out h2c, out _);

    /// <inheritdoc cref="Validate()"/>
    public (IPEndPoint Http, IPEndPoint? Admin) Validate(out IPEndPoint? h2c, out IPEndPoint? https)
    {
        if (string.IsNullOrWhiteSpace(Home))
        {
            throw new EdgeOptionsException("--home", "The Slipway home directory is empty; pass --home DIR or set SLIPWAY_HOME.");
        }

        if (Encoding.UTF8.GetByteCount(ControlSocketPath) > MaximumSocketPathBytes)
        {
            throw new EdgeOptionsException("--home",
                $"The control socket path {ControlSocketPath} is longer than the {MaximumSocketPathBytes} bytes a Unix socket path may have; choose a shorter --home.");
        }

        if (!ListenAddress.TryParse(Http, out var http))
        {
            throw new EdgeOptionsException("--http", $"'{Http}' is not a listen address; write HOST:PORT, e.g. {DefaultHttp}.");
        }

        IPEndPoint? admin = null;
        if (Admin is not null)
        {
            if (!ListenAddress.TryParse(Admin, out var parsed))
            {
                throw new EdgeOptionsException("--admin", $"'{Admin}' is not a listen address; write HOST:PORT, e.g. {DefaultAdmin}.");
            }

            if (parsed.Port != 0 && parsed.Equals(http))
            {
                throw new EdgeOptionsException("--admin", $"The admin listener cannot use the same address as the HTTP listener ({Admin}).");
            }

            admin = parsed;
        }

        h2c = null;
        if (H2c is not null)
        {
            if (!ListenAddress.TryParse(H2c, out var parsed))
            {
                throw new EdgeOptionsException("--h2c", $"'{H2c}' is not a listen address; write HOST:PORT, e.g. 127.0.0.1:8082.");
            }

            if (parsed.Port != 0 && (parsed.Equals(http) || parsed.Equals(admin)))
            {
                throw new EdgeOptionsException("--h2c", $"The h2c listener needs an address of its own ({H2c} is taken by --http or --admin).");
            }

            h2c = parsed;
        }

        https = null;
        if (Https is not null)
        {
            if (!ListenAddress.TryParse(Https, out var parsed))
            {
                throw new EdgeOptionsException("--https", $"'{Https}' is not a listen address; write HOST:PORT, e.g. 0.0.0.0:443 (127.0.0.1:8443 to try it locally).");
            }

            if (parsed.Port != 0 && (parsed.Equals(http) || parsed.Equals(admin) || parsed.Equals(h2c)))
            {
                throw new EdgeOptionsException("--https", $"The TLS listener cannot use the address of another listener ({Https}).");
            }

            https = parsed;
        }

        if (!Uri.TryCreate(Acme.Directory, UriKind.Absolute, out var directory) || directory.Scheme is not ("https" or "http"))
        {
            throw new EdgeOptionsException("--acme-directory", $"'{Acme.Directory}' is not an ACME directory URL; give https://…/directory (default {Slipway.Edge.Acme.AcmeOptions.LetsEncrypt}).");
        }

        if (Acme.CaRootFile is { } root && !File.Exists(root))
        {
            throw new EdgeOptionsException("--acme-ca-root", $"{root}: no such file; give the PEM root the ACME server's HTTPS certificate chains to.");
        }

        if (Acme.Email is { } email && (email.Length == 0 || !email.Contains('@', StringComparison.Ordinal) || email.Contains(' ', StringComparison.Ordinal)))
        {
            throw new EdgeOptionsException("--acme-email", $"'{email}' is not an e-mail address.");
        }

        ParseTrustedProxies();

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new EdgeOptionsException("drainTimeout", "The drain timeout cannot be negative.");
        }

        return (http, admin);
    }
}
