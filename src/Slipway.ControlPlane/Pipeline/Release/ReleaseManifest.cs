using System.Text.Json;
using Slipway.ControlPlane.IO;
using Slipway.Edge.Persistence;

namespace Slipway.ControlPlane.Pipeline.Release;

/// <summary>
/// <c>release.json</c> at the root of a release tree (docs/architecture.md §3, release phase): what was built, from which
/// revision, and the digest of every other file in the tree.
/// </summary>
internal sealed record ReleaseManifest
{
    public const string FileName = "release.json";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public required string App { get; init; }

    /// <summary>The release id, <c>yyyyMMdd-HHmmss-&lt;digest first 8&gt;</c>; see <see cref="ReleaseId"/>.</summary>
    public required string Release { get; init; }

    /// <summary>A git commit sha, or <c>local-&lt;12 hex&gt;</c> for a directory outside git.</summary>
    public required string Revision { get; init; }

    /// <summary>True when the source had uncommitted changes, so the revision alone does not describe it.</summary>
    public bool Dirty { get; init; }

    /// <summary>The branch (or other ref) the revision came from, when known.</summary>
    public string? Ref { get; init; }

    public required string Digest { get; init; }

    public required DateTimeOffset BuiltAt { get; init; }

    public IReadOnlyList<GateResult> Gates { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>The ledger row of this release, whose tree was published at <paramref name="path"/>.</summary>
    public Store.Release ToLedgerRow(string path) => new()
    {
        Id = Release,
        App = App,
        Revision = Revision,
        Dirty = Dirty,
        Ref = Ref,
        Digest = Digest,
        BuiltAt = BuiltAt,
        Path = path,
        ManifestJson = ToJson(),
    };

    public static ReleaseManifest FromJson(string json) =>
        JsonSerializer.Deserialize<ReleaseManifest>(json, JsonOptions)
        ?? throw new InvalidDataException("release.json is empty (null).");

    /// <summary>Reads <c>release.json</c> from the release tree at <paramref name="releaseDirectory"/>.</summary>
    public static ReleaseManifest Read(string releaseDirectory)
    {
        var path = Path.Combine(releaseDirectory, FileName);
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid release manifest: {ex.Message}", ex);
        }
    }

    /// <summary>Writes <c>release.json</c> into <paramref name="releaseDirectory"/> atomically.</summary>
    public void Write(string releaseDirectory) =>
        AtomicFile.WriteAllText(Path.Combine(releaseDirectory, FileName), ToJson() + "\n");
}
