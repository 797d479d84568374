using System.Text.RegularExpressions;

namespace Slipway.Edge.Tls;

/// <summary>Names a certificate can be served for: a hostname, a one-level wildcard (<c>*.example.com</c>) or <c>*</c> (the default).</summary>
internal static partial class CertificateHost
{
    public static bool IsValid(string host) =>
        host == "*" || (host.Length <= 253 && Pattern().IsMatch(host));

    public static string Normalize(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>The file name a host's certificate is kept under (<c>*</c> cannot be in a portable file name).</summary>
    public static string FileName(string host) =>
        host == "*" ? "_default" : host.StartsWith("*.", StringComparison.Ordinal) ? "_wildcard" + host[1..] : host;

    [GeneratedRegex(@"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex Pattern();
}
