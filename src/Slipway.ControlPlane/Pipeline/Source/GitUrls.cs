using System.Text.RegularExpressions;

namespace Slipway.ControlPlane.Pipeline.Source;

/// <summary>Repository locations as shown to people and as compared with a forge's webhook payload.</summary>
internal static partial class GitUrls
{
    /// <summary>Masks the user-info part (<c>https://user:token@host</c>) of every URL in <paramref name="text"/>.</summary>
    public static string Redact(string text) => UserInfo().Replace(text, "$1***@");

    /// <summary>
    /// A comparable form of a repository location: scheme, user-info, a trailing <c>.git</c> or slash and case
    /// dropped, so <c>https://forge/acme/hello.git</c>, <c>http://Forge/acme/hello</c> and
    /// <c>git@forge:acme/hello.git</c> compare equal. Local paths are made absolute.
    /// </summary>
    public static string Normalize(string location)
    {
        var text = location.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && !uri.IsFile && uri.Host.Length > 0)
        {
            text = uri.Host + (uri.IsDefaultPort || uri.Scheme is "ssh" ? "" : ":" + uri.Port) + uri.AbsolutePath;
        }
        else if (ScpLike().Match(text) is { Success: true } scp)
        {
            text = scp.Groups["host"].Value + "/" + scp.Groups["path"].Value;
        }
        else
        {
            text = Path.GetFullPath(uri is { IsFile: true } ? uri.LocalPath : text);
        }

        text = text.TrimEnd('/');
        if (text.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^4];
        }

        return text.TrimEnd('/').ToLowerInvariant();
    }

    [GeneratedRegex(@"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"^(?:[^@/\s]+@)?(?<host>[^:/\s]+):(?<path>[^\s]+)$")]
    private static partial Regex ScpLike();
}
