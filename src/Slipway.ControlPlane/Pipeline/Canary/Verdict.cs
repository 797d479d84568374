namespace Slipway.ControlPlane.Pipeline.Canary;

/// <summary>What the analysis concluded about one window: keep watching, go on, stop, or wait for a person.</summary>
internal enum VerdictKind
{
    Wait,
    Advance,
    Abort,
    Pause,
}

internal sealed record Verdict(VerdictKind Kind, string Reason)
{
    public static Verdict Wait(string reason) => new(VerdictKind.Wait, reason);
}
