using Slipway.ControlPlane.Runtime;

namespace Slipway.ControlPlane.Spec;

/// <summary>
/// A parsed, validated <c>slipway.yml</c> (docs/architecture.md §8). Immutable; every optional field carries its default,
/// so code downstream never checks for missing values.
/// </summary>
public sealed record AppSpec
{
    public required string App { get; init; }

    public SourceSpec? Source { get; init; }

    public IReadOnlyList<BuildStep> Build { get; init; } = [];

    /// <summary><c>runtime:</c>, <c>process</c> unless the spec says otherwise.</summary>
    public RuntimeKind Runtime { get; init; } = RuntimeKind.Process;

    public RunSpec? Run { get; init; }

    public DockerSpec? Docker { get; init; }

    /// <summary><c>replicas</c> and <c>placement</c> of a <c>runtime: swarm</c> app; set (with defaults) exactly for that runtime.</summary>
    public SwarmSpec? Swarm { get; init; }

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

    /// <summary>Deploy order: a release goes to the first environment, then is promoted to each next one.</summary>
    public IReadOnlyList<string> Environments { get; init; } = ["prod"];

    /// <summary>
    /// Routes of environments declared as <c>{ name, routes }</c> in <c>environments</c>. The top-level
    /// <see cref="Routes"/> belong to the last environment unless it declares its own; other environments have none.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RouteSpec>> EnvironmentRoutes { get; init; } = new Dictionary<string, IReadOnlyList<RouteSpec>>();

    /// <summary>How a release that succeeded in one environment moves to the next.</summary>
    public PromoteMode Promote { get; init; } = PromoteMode.Auto;

    /// <summary>How the edge talks to the app: <c>http1</c> (HTTP/1.1) or <c>h2c</c> (HTTP/2 with prior knowledge, for gRPC).</summary>
    public string Protocol { get; init; } = "http1";

    /// <summary>Largest request body the edge accepts for this app's routes; null means the edge default.</summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary>Progressive delivery (docs/rollout.md); null: the service swaps to a validated candidate at once.</summary>
    public RolloutSpec? Rollout { get; init; }

    /// <summary>The routes the edge gives <paramref name="env"/>'s service (see <see cref="EnvironmentRoutes"/>).</summary>
    public IReadOnlyList<RouteSpec> RoutesFor(string env) =>
        EnvironmentRoutes.TryGetValue(env, out var routes) ? routes
        : Environments.Count > 0 && env == Environments[^1] ? Routes
        : [];

    /// <summary>The environment a release is promoted to after <paramref name="env"/>; null for the last one.</summary>
    public string? NextEnvironment(string env)
    {
        for (var i = 0; i + 1 < Environments.Count; i++)
        {
            if (Environments[i] == env)
            {
                return Environments[i + 1];
            }
        }

        return null;
    }

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

/// <summary>How many tasks of each generation run on the swarm, and where (docs/scale-out.md).</summary>
public sealed record SwarmSpec
{
    /// <summary><c>replicas</c>: tasks per generation, each on a node's host network with <c>PORT</c> set.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary><c>placement.constraints</c>, in the swarm's own syntax (<c>node.labels.zone==a</c>, <c>node.role==worker</c>).</summary>
    public IReadOnlyList<string> Constraints { get; init; } = [];

    /// <summary>
    /// <c>placement.max_per_node</c>: tasks of one generation on one node. Host networking gives every task the same
    /// port, so two on one node would collide: 1 unless the spec says otherwise.
    /// </summary>
    public int MaxPerNode { get; init; } = 1;
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

    /// <summary>
    /// <c>auto</c> (a certificate from ACME), <c>files</c> (from <c>slipway certs add</c>) or <c>off</c>. Defaults:
    /// <c>off</c> for <c>*</c>, <c>localhost</c> and <c>*.localhost</c>; <c>files</c> for other wildcards; else <c>auto</c>.
    /// </summary>
    public string Tls { get; init; } = "off";

    /// <summary>With TLS on: plain HTTP answers 301 to https (except the ACME challenge path).</summary>
    public bool RedirectHttp { get; init; } = true;

    /// <summary><c>Strict-Transport-Security</c> max-age; null sends no HSTS header.</summary>
    public TimeSpan? HstsMaxAge { get; init; }

    public bool HstsIncludeSubdomains { get; init; }

    /// <summary>The host and path only: two routes to the same place conflict whatever their TLS settings.</summary>
    public (string Host, string Path) Place => (Host, Path);

    public static string DefaultTls(string host) =>
        host is "*" or "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal) ? "off"
        : host.StartsWith("*.", StringComparison.Ordinal) ? "files"
        : "auto";
}

public sealed record ProbeSpec
{
    /// <summary><c>http</c>: GET <see cref="Health"/> and <see cref="Ready"/>; <c>grpc</c>: <c>grpc.health.v1.Health/Check</c> for <see cref="GrpcService"/>.</summary>
    public string Kind { get; init; } = "http";

    /// <summary>With <see cref="Kind"/> <c>grpc</c>: the service the health check asks about; empty means the whole server.</summary>
    public string GrpcService { get; init; } = "";

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
