using System.Security.Cryptography;
using System.Text;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// The labels on every container Slipway creates. <see cref="Owner"/> names the Slipway home that created it,
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

    /// <summary>A short stable id for a Slipway home directory.</summary>
    public static string OwnerOf(string home) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(home).TrimEnd('/'))))[..16];
}
