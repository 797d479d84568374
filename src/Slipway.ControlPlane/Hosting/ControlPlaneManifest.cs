using System.Reflection;
using System.Text.Json;
using Slipway.ControlPlane.Pipeline.Release;

namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// The control plane's own release manifest, served at <c>/version</c>. Run as a Slipway release it is the
/// release's <c>release.json</c>; run from a build output it is derived from the binaries, so two different
/// builds never claim the same digest.
/// </summary>
internal static class ControlPlaneManifest
{
    public static string Load(TimeProvider time)
    {
        var path = Environment.GetEnvironmentVariable("SLIPWAY_RELEASE_MANIFEST");
        if (path is not null && File.Exists(path))
        {
            return File.ReadAllText(path);
        }

        var version = typeof(ControlPlaneManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var digest = DigestOfOwnAssemblies();
        return JsonSerializer.Serialize(new
        {
            app = "slipway",
            release = "build-" + ReleaseDigest.Hex(digest)[..8],
            revision = version,
            dirty = false,
            digest,
            builtAt = File.GetLastWriteTimeUtc(typeof(ControlPlaneManifest).Assembly.Location),
            startedAt = time.GetUtcNow(),
        });
    }

    private static string DigestOfOwnAssemblies()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var name in new[] { "slipway.dll", "Slipway.Edge.dll", "Slipway.ControlPlane.dll" })
        {
            var path = Path.Combine(AppContext.BaseDirectory, name);
            if (File.Exists(path))
            {
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
                sha.AppendData(File.ReadAllBytes(path));
            }
        }

        return ReleaseDigest.Prefix + Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
