namespace Slipway.ControlPlane.IO;

/// <summary>One entry of a walked tree; <see cref="RelativePath"/> uses '/' separators.</summary>
internal sealed record TreeEntry(string RelativePath, string FullPath, TreeEntryKind Kind);
