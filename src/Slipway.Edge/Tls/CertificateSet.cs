namespace Slipway.Edge.Tls;

/// <summary>
/// An immutable set of served certificates indexed for the handshake: exact names, wildcards by their
/// suffix, and the default (<c>*</c>). Replaced whole by <see cref="CertificateStore"/>.
/// </summary>
internal sealed class CertificateSet
{
    public static readonly CertificateSet Empty = new([]);

    private readonly Dictionary<string, ServedCertificate> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ServedCertificate> _wildcards = new(StringComparer.OrdinalIgnoreCase);
    private readonly ServedCertificate? _default;

    public CertificateSet(IEnumerable<ServedCertificate> certificates)
    {
        foreach (var certificate in certificates)
        {
            if (certificate.Host == "*")
            {
                _default = certificate;
            }
            else if (certificate.Host.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards[certificate.Host[1..]] = certificate;
            }
            else
            {
                _exact[certificate.Host] = certificate;
            }
        }

        All = [.. _exact.Values, .. _wildcards.Values, .. _default is null ? Array.Empty<ServedCertificate>() : [_default]];
    }

    public IReadOnlyList<ServedCertificate> All { get; }

    /// <summary>The certificate for a handshake's server name: exact, then the nearest wildcard (one label deep), then the default.</summary>
    public ServedCertificate? Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return _default;
        }

        var name = serverName.TrimEnd('.');
        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }

        // A wildcard covers exactly one label (RFC 6125): *.example.com serves a.example.com, not a.b.example.com.
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _wildcards.TryGetValue(name[dot..], out var wildcard))
        {
            return wildcard;
        }

        return _default;
    }

    /// <summary>Whether a name is served by its own or a wildcard certificate (not only by the default).</summary>
    public bool Covers(string host) => Select(host) is { } served && served.Host != "*";

    public ServedCertificate? Get(string host) =>
        host == "*" ? _default
        : host.StartsWith("*.", StringComparison.Ordinal) ? _wildcards.GetValueOrDefault(host[1..])
        : _exact.GetValueOrDefault(host);
}
