namespace Slipway.Edge.Tls;

/// <summary>How one route treats TLS: its mode, the HTTP → HTTPS redirect and HSTS.</summary>
internal sealed record TlsPolicy(string Mode, bool RedirectHttp, int? HstsMaxAgeSeconds, bool HstsIncludeSubdomains)
{
    public static readonly TlsPolicy Off = new("off", false, null, false);

    public bool IsOn => Mode != "off";

    public string? HstsHeader => HstsMaxAgeSeconds is { } age
        ? HstsIncludeSubdomains ? $"max-age={age}; includeSubDomains" : $"max-age={age}"
        : null;
}
