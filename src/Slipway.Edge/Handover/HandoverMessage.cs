namespace Slipway.Edge.Handover;

/// <summary>
/// One message of the handover conversation between the running edge and its successor (one
/// <c>SOCK_SEQPACKET</c> packet of JSON each; the listeners message carries descriptors). In order:
/// successor <c>hello</c> → running <c>listeners</c> (+ fds) → successor <c>ready</c> → running <c>go</c>
/// (state saved, control frozen) → successor <c>serving</c>. Either side may send <c>failed</c>.
/// </summary>
internal sealed record HandoverMessage
{
    public const int CurrentProtocol = 1;

    public const string Hello = "hello";
    public const string Listeners = "listeners";
    public const string Ready = "ready";
    public const string Go = "go";
    public const string Serving = "serving";
    public const string Failed = "failed";

    public required string Type { get; init; }

    public int Protocol { get; init; } = CurrentProtocol;

    public int Pid { get; init; }

    public string? Version { get; init; }

    /// <summary>With <see cref="Listeners"/>: the names of the attached descriptors, in order.</summary>
    public IReadOnlyList<string>? Names { get; init; }

    /// <summary>With <see cref="Listeners"/>: the running edge's drain timeout, so the successor keeps it.</summary>
    public int? DrainTimeoutMs { get; init; }

    /// <summary>With <see cref="Listeners"/>: the running edge's trusted proxies, so the successor keeps them.</summary>
    public string? TrustedProxies { get; init; }

    public string? Error { get; init; }
}
