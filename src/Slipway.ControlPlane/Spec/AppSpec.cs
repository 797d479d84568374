namespace Slipway.ControlPlane.Spec;

/// <summary>
/// A parsed, validated <c>slipway.yml</c> (DESIGN §8). Immutable; every optional field carries its default,
/// so code downstream never checks for missing values.
/// </summary>
public sealed record AppSpec
{
    public required string App { get; init; }

    public SourceSpec? Source { get; init; }

    public IReadOnlyList<BuildStep> Build { get; init; } = [];

    /// <summary><c>process</c> or <c>docker</c>.</summary>
    public string Runtime { get; init; } = "process";

    public RunSpec? Run { get; init; }

    public DockerSpec? Docker { get; init; }

    public IReadOnlyList<RouteSpec> Routes { get; init; } = [];

    public ProbeSpec Probes { get; init; } = new();

    public DrainSpec Drain { get; init; } = new();

    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RollbackWindow { get; init; } = TimeSpan.FromMinutes(10);

    public int KeepReleases { get; init; } = 5;

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Secrets { get; init; } = [];

    public string? Migrate { get; init; }

    public TimeSpan MigrateTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public IReadOnlyList<string> Environments { get; init; } = ["prod"];

    /// <summary>Largest request body the edge accepts for this app's routes; null means the edge default.</summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary>The text the spec was parsed from, kept verbatim so the store can save what the user wrote.</summary>
    public string SourceText { get; init; } = "";
}

public sealed record SourceSpec
{
    public string? Git { get; init; }

    public string Branch { get; init; } = "main";

    /// <summary>Whether a pushed tag (not only a push to <see cref="Branch"/>) triggers a deploy.</summary>
    public bool DeployTags { get; init; }
}

public sealed record BuildStep
{
    public required string Name { get; init; }

    public required string Run { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}

public sealed record RunSpec
{
    public required string Command { get; init; }
}

public sealed record DockerSpec
{
    public string Dockerfile { get; init; } = "Dockerfile";

    /// <summary>Container port to publish on 127.0.0.1; null means host networking with PORT in the environment.</summary>
    public int? Port { get; init; }
}

public sealed record RouteSpec
{
    public string Host { get; init; } = "*";

    public string Path { get; init; } = "/";
}

public sealed record ProbeSpec
{
    public string Health { get; init; } = "/healthz";

    public string Ready { get; init; } = "/ready";

    public string Version { get; init; } = "/version";

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    public int Passes { get; init; } = 2;

    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);
}

public sealed record DrainSpec
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
