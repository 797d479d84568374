namespace Slipway.ControlPlane.Store;

/// <summary>An immutable release in the ledger; <see cref="Path"/> is its tree under <c>releases/&lt;app&gt;/&lt;id&gt;/</c>.</summary>
internal sealed record Release
{
    public required string Id { get; init; }

    public required string App { get; init; }

    /// <summary>Full commit sha, or null for a <c>--from</c> directory without git.</summary>
    public string? Revision { get; init; }

    public bool Dirty { get; init; }

    /// <summary>What the user asked for (branch, tag, short sha), as opposed to the resolved <see cref="Revision"/>.</summary>
    public string? Ref { get; init; }

    /// <summary><c>sha256:&lt;hex&gt;</c> over the tree, or the docker image id.</summary>
    public required string Digest { get; init; }

    public required DateTimeOffset BuiltAt { get; init; }

    public required string Path { get; init; }

    /// <summary>For <c>runtime: docker</c>: the id (<c>sha256:...</c>) of the image built from the tree; null until built.</summary>
    public string? ImageId { get; init; }

    /// <summary>The <c>release.json</c> manifest as written to disk.</summary>
    public string ManifestJson { get; init; } = "{}";
}
