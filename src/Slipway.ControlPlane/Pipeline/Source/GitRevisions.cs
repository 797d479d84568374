namespace Slipway.ControlPlane.Pipeline.Source;

/// <summary>Checks on revisions that come from users and webhooks before they reach a git command line.</summary>
internal static class GitRevisions
{
    /// <summary>True for something git could take as a revision name; never an option (leading <c>-</c>).</summary>
    public static bool IsWellFormed(string revision) =>
        revision.Length is > 0 and <= 255
        && revision[0] != '-'
        && !revision.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\')
        && !revision.Contains("..", StringComparison.Ordinal)
        && !revision.Contains("@{", StringComparison.Ordinal);

    /// <summary>True for a full 40-hex (sha-1) or 64-hex (sha-256) commit id.</summary>
    public static bool IsFullSha(string revision) =>
        revision.Length is 40 or 64 && revision.All(char.IsAsciiHexDigit);

    /// <summary>True for the all-zero id a forge sends as <c>after</c> when a branch is deleted.</summary>
    public static bool IsZero(string revision) => revision.Length > 0 && revision.All(c => c == '0');
}
