namespace Slipway.Edge.Control.Contracts;

/// <summary>Body of <c>POST /processes</c>: start (or replace) a supervised process.</summary>
public sealed record ProcessDefinition
{
    /// <summary>Stable id, e.g. <c>hello-prod-g7</c>. Letters, digits, <c>.</c>, <c>_</c> and <c>-</c>.</summary>
    public string Id { get; init; } = "";

    /// <summary>A shell command, run with <c>/bin/sh -c</c> in its own session and process group.</summary>
    public string Command { get; init; } = "";

    public string WorkingDirectory { get; init; } = "";

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Secret environment variables (an app's secrets), set on top of <see cref="Environment"/>. Accepted on
    /// <c>POST /processes</c> only: answers never carry them (null there), the state file holds them only sealed
    /// under the master key (<see cref="SealedSecrets"/>), and the process's output reaches its log file through a
    /// relay that masks their values.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Secrets { get; init; }

    /// <summary>The state file's form of <see cref="Secrets"/>: AES-GCM under the master key. Ignored on input.</summary>
    public string? SealedSecrets { get; init; }

    /// <summary>Informational; the port is normally also in <see cref="Environment"/> as PORT.</summary>
    public int? Port { get; init; }

    /// <summary>Where stdout and stderr are appended; defaults to <c>HOME/logs/processes/{id}.log</c>.</summary>
    public string? LogFile { get; init; }

    public int StopGraceMs { get; init; } = 30_000;

    /// <summary>Restart on unexpected exit with backoff (1 s doubling to 30 s).</summary>
    public bool Restart { get; init; } = true;

    /// <summary>
    /// True only for Slipway's own control plane: it also gets the edge's <c>SLIPWAY_*</c>, <c>DOTNET_*</c> and
    /// <c>DOCKER_HOST</c> variables (read from the edge at each start, never stored). Every other process starts from
    /// the cleared environment of <see cref="Supervision.ChildEnvironment"/> plus <see cref="Environment"/>.
    /// </summary>
    public bool SlipwayOwn { get; init; }
}

/// <summary>Answer of <c>GET /processes/{id}</c> (and items of <c>GET /processes</c>).</summary>
public sealed record ProcessStatus
{
    public string Id { get; init; } = "";

    public ProcessState State { get; init; }

    public int? Pid { get; init; }

    /// <summary>Process start time in clock ticks since boot (/proc/PID/stat field 22); with the pid it identifies the process.</summary>
    public long? StartTicks { get; init; }

    public int Restarts { get; init; }

    /// <summary>The delay before the latest (or pending) restart, in milliseconds; null until the first restart.</summary>
    public int? BackoffMs { get; init; }

    public int? LastExitCode { get; init; }

    public DateTimeOffset? LastExitAt { get; init; }

    public bool Adopted { get; init; }

    public string LogFile { get; init; } = "";

    public ProcessDefinition Definition { get; init; } = new();
}
