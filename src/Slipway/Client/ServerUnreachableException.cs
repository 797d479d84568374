namespace Slipway.Client;

/// <summary>The admin API did not accept a connection; the CLI exits 3.</summary>
internal sealed class ServerUnreachableException(Uri url, Exception? inner)
    : Exception($"cannot reach Slipway at {url.ToString().TrimEnd('/')}: is `slipway up` running? set SLIPWAY_URL", inner)
{
    public Uri Url { get; } = url;
}
