namespace Slipway.Edge.Acme;

/// <summary>Where getting or renewing the certificate of one <c>tls: auto</c> name stands.</summary>
public sealed record AcmeHostStatus
{
    public string Host { get; init; } = "";

    /// <summary><c>pending</c> (no certificate yet), <c>issuing</c>, <c>valid</c> or <c>failing</c>.</summary>
    public string State { get; init; } = "pending";

    public DateTimeOffset? RenewAt { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public string? LastError { get; init; }

    public int Failures { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The challenge that last succeeded (<c>http-01</c> or <c>tls-alpn-01</c>).</summary>
    public string? Challenge { get; init; }
}
