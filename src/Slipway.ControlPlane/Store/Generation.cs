namespace Slipway.ControlPlane.Store;

/// <summary>One running (or once-running) instance of a release in an environment.</summary>
internal sealed record Generation
{
    public required string App { get; init; }

    public required string Env { get; init; }

    /// <summary>Strictly increasing per (app, env); never reused, even after the app is removed and added again.</summary>
    public required long Number { get; init; }

    public required string ReleaseId { get; init; }

    public int? Port { get; init; }

    /// <summary>Supervisor process id or docker container id.</summary>
    public string? ProcessId { get; init; }

    public required GenerationState State { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }
}
