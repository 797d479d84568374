namespace Slipway.Edge.Forwarding;

/// <summary>How the edge talks to a service's targets (<c>protocol:</c> in the service definition).</summary>
internal static class BackendProtocol
{
    /// <summary>HTTP/1.1 (the default); WebSockets use the HTTP/1.1 upgrade.</summary>
    public const string Http1 = "http1";

    /// <summary>HTTP/2 with prior knowledge on a cleartext target (HTTP/2 through ALPN on an https one): gRPC apps.</summary>
    public const string H2c = "h2c";

    public static bool IsValid(string? protocol) => protocol is Http1 or H2c;

    public static bool IsHttp2(string? protocol) => protocol == H2c;
}
