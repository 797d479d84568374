using Slipway.FunctionalTests.Infrastructure;
using Slipway.FunctionalTests.Install;

namespace Slipway.FunctionalTests.Swarm;

/// <summary>
/// A real Docker Swarm of <see cref="Nodes"/> machines on this host (<c>swarm-rig.sh</c>: a network namespace and a
/// dockerd per node on a bridge of their own, node 1 the manager, and a registry every node pulls from), for the
/// class's tests; removed whole when they are done, also after a partial start.
/// </summary>
public sealed class SwarmRig : IAsyncLifetime
{
    public const int Nodes = 3;

    private static readonly string Script = Path.Combine(RepoPaths.Root, "tests", "Slipway.FunctionalTests", "Swarm", "swarm-rig.sh");

    private readonly string _dir = $"/tmp/slw-{Guid.NewGuid():N}"[..19];

    /// <summary>Why the swarm tests cannot run here; null when the rig is up.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The manager's Engine API socket.</summary>
    public string Manager { get; private set; } = "";

    /// <summary>The registry, <c>HOST:PORT</c>.</summary>
    public string Registry { get; private set; } = "";

    /// <summary>Each node's address, node 1 first; node N's engine socket is <see cref="EngineOf"/>.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public string EngineOf(int node) => Path.Combine(_dir, $"n{node}", "docker.sock");

    public async Task InitializeAsync()
    {
        SkipReason = SwarmRequirement.Missing();
        if (SkipReason is not null)
        {
            SwarmRequirement.FailIfRequired(SkipReason);
            return;
        }

        var up = await ReleaseArtifacts.RunAsync("bash", [Script, "up", _dir, Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            RepoPaths.Root, null, TimeSpan.FromMinutes(3));
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException($"swarm-rig.sh up failed (exit {up.ExitCode}):\n{up.Stdout}\n{up.Stderr}");
        }

        var values = up.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.Ordinal);
        Manager = values["manager"];
        Registry = values["registry"];
        Addresses = [.. Enumerable.Range(1, Nodes).Select(n => values[$"node{n}"])];
    }

    /// <summary>Runs the docker CLI against node <paramref name="node"/>'s engine.</summary>
    public async Task<string> DockerAsync(int node, params string[] arguments)
    {
        var run = await ReleaseArtifacts.RunAsync("docker", ["-H", $"unix://{EngineOf(node)}", .. arguments], RepoPaths.Root, null, TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, $"docker {string.Join(' ', arguments)} on node {node}: exit {run.ExitCode}\n{run.Stderr}");
        return run.Stdout.Trim();
    }

    public async Task DisposeAsync()
    {
        if (SkipReason is null)
        {
            await ReleaseArtifacts.RunAsync("bash", [Script, "down", _dir], RepoPaths.Root, null, TimeSpan.FromMinutes(2));
        }
    }
}

/// <summary>
/// The swarm tests need root (namespaces, a bridge), <c>ip</c>, <c>nsenter</c>, <c>dockerd</c>, <c>docker</c>,
/// <c>docker-registry</c>, <c>curl</c> and a static busybox. Without them they skip with the reason, unless
/// <c>SLIPWAY_REQUIRE_SWARM=1</c> (set by <c>.ci/run</c>), where they fail.
/// </summary>
internal static class SwarmRequirement
{
    public static string? Missing()
    {
        if (Environment.UserName != "root")
        {
            return "the swarm tests build machines out of network namespaces, which needs root";
        }

        var tools = new[] { "ip", "nsenter", "dockerd", "docker", "docker-registry", "curl", "setsid" }
            .Where(tool => !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
            .ToList();
        if (tools.Count > 0)
        {
            return $"missing {string.Join(", ", tools)} (apt-get install iproute2 util-linux docker.io docker-registry curl)";
        }

        return File.Exists(Docker.DockerRequirement.BusyboxPath) ? null : $"no static busybox at {Docker.DockerRequirement.BusyboxPath} (apt-get install busybox-static)";
    }

    public static void FailIfRequired(string missing)
    {
        if (Environment.GetEnvironmentVariable("SLIPWAY_REQUIRE_SWARM") == "1")
        {
            throw new InvalidOperationException($"SLIPWAY_REQUIRE_SWARM=1 but {missing}.");
        }
    }
}
