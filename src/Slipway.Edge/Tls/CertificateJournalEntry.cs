namespace Slipway.Edge.Tls;

public sealed record CertificateJournalEntry
{
    public DateTimeOffset At { get; init; }

    /// <summary><c>cert.added</c>, <c>cert.removed</c>, <c>acme.order</c>, <c>acme.issued</c>, <c>acme.failed</c>.</summary>
    public string Kind { get; init; } = "";

    public string Host { get; init; } = "";

    public string? Detail { get; init; }
}
