namespace Slipway.Cli;

/// <summary>The CLI's exit codes (docs/architecture.md §5); scripts and CI depend on them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation ran and failed: a deploy failed, was cancelled or superseded; a doctor check failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or configuration: unknown option, rejected spec, missing token.</summary>
    public const int Usage = 2;

    public const int Unreachable = 3;
}
