using Slipway.ControlPlane.Pipeline.Source;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>The web page of a commit on a forge whose URL scheme is known; null for any other source.</summary>
internal static class ForgeLinks
{
    public static string? Commit(string? gitSource, string? revision)
    {
        if (gitSource is null || revision is null || !IsSha(revision))
        {
            return null;
        }

        var location = GitUrls.Normalize(gitSource);
        var slash = location.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        var host = location[..slash];
        var repository = location[(slash + 1)..];
        return host switch
        {
            "github.com" or "codeberg.org" or "gitea.com" => $"https://{host}/{repository}/commit/{revision}",
            "gitlab.com" => $"https://{host}/{repository}/-/commit/{revision}",
            _ => null,
        };
    }

    private static bool IsSha(string revision) => revision.Length is >= 7 and <= 64 && revision.All(Uri.IsHexDigit);
}
