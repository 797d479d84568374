using System.Collections.Immutable;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Acme;

/// <summary>
/// The challenge answers pending right now: HTTP-01 key authorizations by token (served by the HTTP
/// listener under <c>/.well-known/acme-challenge/</c>) and TLS-ALPN-01 certificates by name (served by the
/// TLS listener to a client offering only <c>acme-tls/1</c>). Immutable maps swapped on change.
/// </summary>
internal sealed class ChallengeResponder
{
    public const string HttpPathPrefix = "/.well-known/acme-challenge/";

    private ImmutableDictionary<string, string> _http = ImmutableDictionary<string, string>.Empty;
    private ImmutableDictionary<string, ServedCertificate> _tls = ImmutableDictionary.Create<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);

    public string? KeyAuthorization(string token) => Volatile.Read(ref _http).GetValueOrDefault(token);

    public ServedCertificate? TlsAlpnCertificate(string host) => Volatile.Read(ref _tls).GetValueOrDefault(host.TrimEnd('.'));

    public void AddHttp(string token, string keyAuthorization) => ImmutableInterlocked.Update(ref _http, m => m.SetItem(token, keyAuthorization));

    public void RemoveHttp(string token) => ImmutableInterlocked.Update(ref _http, m => m.Remove(token));

    public void AddTlsAlpn(string host, ServedCertificate certificate) => ImmutableInterlocked.Update(ref _tls, m => m.SetItem(host, certificate));

    public void RemoveTlsAlpn(string host) => ImmutableInterlocked.Update(ref _tls, m => m.Remove(host));
}
