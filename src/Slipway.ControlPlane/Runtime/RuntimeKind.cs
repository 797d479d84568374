namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// The <c>runtime:</c> of an app, parsed once from its spec so code downstream compares values, never strings. One
/// instance per kind, so reference equality is value equality; a new runtime is a new instance here and a new
/// <see cref="IAppRuntime"/> beside the others.
/// </summary>
public sealed class RuntimeKind
{
    /// <summary>A child process of the edge's supervisor.</summary>
    public static readonly RuntimeKind Process = new("process", "process");

    /// <summary>A container owned by the local Docker engine.</summary>
    public static readonly RuntimeKind Docker = new("docker", "container");

    /// <summary>A service of a Docker Swarm, its tasks on the swarm's nodes (docs/scale-out.md).</summary>
    public static readonly RuntimeKind Swarm = new("swarm", "service");

    private RuntimeKind(string name, string instance)
    {
        Name = name;
        Instance = instance;
    }

    /// <summary>Every kind, in the order the spec's error messages list them.</summary>
    public static IReadOnlyList<RuntimeKind> All { get; } = [Process, Docker, Swarm];

    /// <summary>As written in <c>slipway.yml</c> and shown by the API.</summary>
    public string Name { get; }

    /// <summary>What runs one generation, in the user's words (journal reasons, the dashboard).</summary>
    public string Instance { get; }

    /// <returns>The kind named <paramref name="name"/>, or null when there is none.</returns>
    public static RuntimeKind? Parse(string? name) => All.FirstOrDefault(k => k.Name == name);

    public override string ToString() => Name;
}
