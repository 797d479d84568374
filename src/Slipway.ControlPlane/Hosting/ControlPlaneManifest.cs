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

        var assembly = typeof(ControlPlaneManifest).Assembly;
        if (Stamp(assembly, "SlipwayDigest") is { } stampedDigest)
        {
            // A binary built by build/release.sh: the release it is, as stamped at build time.
            return JsonSerializer.Serialize(new
            {
                app = "slipway",
                version = Stamp(assembly, "SlipwayVersion"),
                release = Stamp(assembly, "SlipwayVersion"),
                revision = Stamp(assembly, "SlipwayRevision"),
                dirty = Stamp(assembly, "SlipwayDirty") == "true",
                digest = stampedDigest,
                builtAt = Stamp(assembly, "SlipwayBuiltAt"),
                startedAt = time.GetUtcNow(),
            });
        }

        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var digest = DigestOfOwnAssemblies();
        var built = OwnFiles().Select(f => f.Path).FirstOrDefault();
        return JsonSerializer.Serialize(new
        {
            app = "slipway",
            release = "build-" + ReleaseDigest.Hex(digest)[..8],
            revision = version,
            dirty = false,
            digest,
            builtAt = built is null ? (DateTime?)null : File.GetLastWriteTimeUtc(built),
            startedAt = time.GetUtcNow(),
        });
    }

    private static string? Stamp(Assembly assembly, string key) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value ? value : null;

    private static string DigestOfOwnAssemblies()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (name, path) in OwnFiles())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            sha.AppendData(File.ReadAllBytes(path));
        }

        return ReleaseDigest.Prefix + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The assembly files of this build; a single-file executable has none, so its own file stands for them.</summary>
    private static IReadOnlyList<(string Name, string Path)> OwnFiles()
    {
        var assemblies = new[] { "slipway.dll", "Slipway.Edge.dll", "Slipway.ControlPlane.dll" }
            .Select(name => (name, Path.Combine(AppContext.BaseDirectory, name)))
            .Where(file => File.Exists(file.Item2))
            .ToList();
        return assemblies.Count > 0 || Environment.ProcessPath is not { } single ? assemblies : [("slipway", single)];
    }
}
