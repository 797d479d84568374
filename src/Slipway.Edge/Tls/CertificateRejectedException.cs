namespace Slipway.Edge.Tls;

/// <summary>A certificate or key that cannot be served; the message says what is wrong and what to do.</summary>
internal sealed class CertificateRejectedException(string message, string field) : Exception(message)
{
    /// <summary><c>host</c>, <c>cert</c> or <c>key</c>.</summary>
    public string Field { get; } = field;
}
