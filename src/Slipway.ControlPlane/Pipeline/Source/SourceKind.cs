namespace Slipway.ControlPlane.Pipeline.Source;

internal enum SourceKind
{
    /// <summary><c>--from DIR</c> inside a git work tree: the files git lists, revision = HEAD.</summary>
    LocalGit,

    /// <summary><c>--from DIR</c> outside git: the whole tree, revision = <c>local-&lt;tree digest&gt;</c>.</summary>
    LocalDirectory,

    /// <summary><c>slipway self-deploy --binary FILE</c>: one release binary, revision = <c>binary-&lt;12 hex of its sha256&gt;</c>.</summary>
    Binary,

    /// <summary>An app's git source: one exact commit exported from the app's mirror.</summary>
    Git,
}
