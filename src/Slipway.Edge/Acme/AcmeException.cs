namespace Slipway.Edge.Acme;

/// <summary>The ACME server refused or could not be reached; <see cref="RetryAfter"/> is when it asked to be tried again.</summary>
internal sealed class AcmeException(string message, AcmeProblem? problem = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public AcmeProblem? Problem { get; } = problem;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsBadNonce => Problem?.Type == "urn:ietf:params:acme:error:badNonce";
}
