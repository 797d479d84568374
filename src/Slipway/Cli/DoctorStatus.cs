namespace Slipway.Cli;

internal enum DoctorStatus
{
    Ok,

    /// <summary>Worth knowing, but Slipway works without it (no Docker, nothing running yet).</summary>
    Warning,

    /// <summary>Slipway cannot work until this is fixed; <c>doctor</c> exits 1.</summary>
    Failed,
}
