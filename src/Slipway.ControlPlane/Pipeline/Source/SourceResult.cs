namespace Slipway.ControlPlane.Pipeline.Source;

/// <summary>What the source phase put in the workspace.</summary>
/// <param name="Revision">A full git commit sha, or <c>local-&lt;12 hex&gt;</c> for a directory outside git.</param>
/// <param name="Dirty">
/// True when the copied files differ from <paramref name="Revision"/> (uncommitted or untracked changes).
/// </param>
/// <param name="Ref">The branch checked out, when there is one.</param>
internal sealed record SourceResult(string Revision, bool Dirty, string? Ref, SourceKind Kind);
