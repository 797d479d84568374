using System.Globalization;

namespace Slipway.ControlPlane.Pipeline.Release;

/// <summary>
/// Release ids are <c>yyyyMMdd-HHmmss-&lt;first 8 hex of the digest&gt;</c>, the build time in UTC: they sort
/// by age as plain strings, and two builds of the same content in the same second share an id (and a tree).
/// </summary>
internal static class ReleaseId
{
    public static string Create(DateTimeOffset builtAt, string digest) =>
        builtAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)
        + "-" + ReleaseDigest.Hex(digest)[..8];
}
