namespace Slipway.ControlPlane.Api.Contracts;

/// <summary>An app and its runtime status per environment.</summary>
public sealed record AppView
{
    public required string Name { get; init; }

    public string Runtime { get; init; } = "process";

    public IReadOnlyList<string> Routes { get; init; } = [];

    public IReadOnlyList<EnvironmentView> Environments { get; init; } = [];

    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record EnvironmentView
{
    public required string Env { get; init; }

    public int? CurrentGeneration { get; init; }

    public int? PreviousGeneration { get; init; }

    public string? Release { get; init; }

    public string? Revision { get; init; }

    public string? Digest { get; init; }

    public int? Port { get; init; }

    /// <summary>Supervisor state of the current generation's process (<c>running</c>, <c>backoff</c>, ...).</summary>
    public string? ProcessState { get; init; }

    /// <summary>Edge health of the current target (<c>healthy</c>, <c>unhealthy</c>, <c>unknown</c>).</summary>
    public string? Health { get; init; }

    public int? Restarts { get; init; }
}

public sealed record ReleaseView
{
    public required string Id { get; init; }

    public required string App { get; init; }

    public string? Revision { get; init; }

    public bool Dirty { get; init; }

    public string? Ref { get; init; }

    public required string Digest { get; init; }

    public DateTimeOffset BuiltAt { get; init; }

    /// <summary>Environments where a generation of this release ran, with its outcome (<c>current</c>, <c>previous</c>, <c>warm</c>, <c>stopped</c>, <c>failed</c>).</summary>
    public IReadOnlyDictionary<string, string> Environments { get; init; } = new Dictionary<string, string>();

    /// <summary>The release's <c>migrate</c>: <c>succeeded</c>, <c>failed</c>, <c>started</c> (interrupted), or null when it never ran.</summary>
    public string? Migration { get; init; }

    /// <summary>Exit code of the last <c>migrate</c> run, when it exited.</summary>
    public int? MigrationExitCode { get; init; }

    /// <summary>Whether the release tree is still on disk (a rollback target); false once pruned by <c>keep_releases</c>.</summary>
    public bool Retained { get; init; }
}

public sealed record EventView
{
    public long Seq { get; init; }

    public DateTimeOffset At { get; init; }

    public required string Type { get; init; }

    public string? App { get; init; }

    public string? Env { get; init; }

    public string? DeploymentId { get; init; }

    public System.Text.Json.JsonElement? Data { get; init; }
}

/// <summary>Error body of every admin API call that fails.</summary>
public sealed record ApiError
{
    public required string Error { get; init; }

    /// <summary>For a rejected spec: one entry per problem, naming file, line and key.</summary>
    public IReadOnlyList<ApiErrorDetail>? Details { get; init; }
}

public sealed record ApiErrorDetail
{
    public string? File { get; init; }

    public int? Line { get; init; }

    public int? Column { get; init; }

    public string? Key { get; init; }

    public required string Message { get; init; }
}

public sealed record TokenView
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary><c>admin</c> (may change things) or <c>viewer</c> (reads only).</summary>
    public string Role { get; init; } = "admin";

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Only in the answer to create: the token itself, shown once.</summary>
    public string? Token { get; init; }
}
