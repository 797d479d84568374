namespace Slipway.Edge.Tls;

/// <summary>The ALPN names a connection's ClientHello offered, set before the TLS handshake starts.</summary>
internal sealed record OfferedProtocolsFeature(IReadOnlyList<string> Protocols)
{
    public bool OffersOnlyAcmeTls => Protocols.Count == 1 && Protocols[0] == TlsDefaults.AcmeTls.ToString();
}
