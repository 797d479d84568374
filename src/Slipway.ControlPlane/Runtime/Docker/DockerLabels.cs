using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// The labels on every container (and swarm service) Slipway creates. <see cref="Owner"/> names the Slipway home that created it,
/// so two Slipway instances on one engine (or tests in parallel) never mistake each other's containers for their own.
/// </summary>
internal static class DockerLabels
{
    public const string App = "slipway.app";
    public const string Env = "slipway.env";
    public const string Generation = "slipway.generation";
    public const string Release = "slipway.release";
    public const string Digest = "slipway.digest";
    public const string Owner = "slipway.owner";

    /// <summary>The labels of a generation's container (docker) or service and its tasks (swarm).</summary>
    public static Dictionary<string, string> Of(RuntimeStart start, string owner) => new()
    {
        [App] = start.Spec.App,
        [Env] = start.Env,
        [Generation] = start.Generation.ToString(CultureInfo.InvariantCulture),
        [Release] = start.Release.Id,
        [Digest] = start.Release.Digest,
        [Owner] = owner,
    };

    /// <summary>
    /// A generation's environment inside an image: its own plus its secrets (the engine keeps them in its own store,
    /// outside SLIPWAY_HOME: docs/secrets.md), without the manifest's host path, which means nothing there (the app serves
    /// the release.json copied into the image).
    /// </summary>
    public static Dictionary<string, string> EnvironmentOf(RuntimeStart start)
    {
        var environment = new Dictionary<string, string>(start.Environment, StringComparer.Ordinal);
        foreach (var (name, value) in start.Secrets)
        {
            environment[name] = value;
        }

        environment.Remove("SLIPWAY_RELEASE_MANIFEST");
        return environment;
    }

    /// <summary>A short stable id for a Slipway home directory.</summary>
    public static string OwnerOf(string home) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(home).TrimEnd('/'))))[..16];
}
