using System.Security.Cryptography;
using System.Text;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Persistence;

namespace Slipway.ControlPlane.Auth;

/// <summary>
/// Bearer tokens: stored as SHA-256 hashes, compared in constant time. On first start a local admin token
/// is written to <c>$SLIPWAY_HOME/admin.token</c> (mode 0600) so the CLI on the same machine works at once.
/// </summary>
internal sealed class AdminTokens(SlipwayStore store)
{
    public const string FileName = "admin.token";

    public static string FilePath(string home) => Path.Combine(home, FileName);

    /// <summary>Makes sure the token file holds a live token; creates one when missing or revoked.</summary>
    public void EnsureLocalToken(string home)
    {
        var path = FilePath(home);
        if (File.Exists(path) && store.FindActiveToken(File.ReadAllText(path).Trim()) is not null)
        {
            return;
        }

        var created = store.CreateToken("local-admin");
        AtomicFile.WriteAllText(path, created.Secret + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>The live token <paramref name="authorization"/> carries as <c>Bearer TOKEN</c>; null otherwise.</summary>
    public TokenRecord? Authenticate(string? authorization)
    {
        const string Scheme = "Bearer ";
        return authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? null
            : AuthenticateSecret(authorization[Scheme.Length..].Trim());
    }

    /// <summary>The live token whose secret is <paramref name="secret"/> (as pasted into the dashboard's sign-in); null otherwise.</summary>
    public TokenRecord? AuthenticateSecret(string secret)
    {
        var presented = Encoding.ASCII.GetBytes(SlipwayStore.HashToken(secret));
        TokenRecord? match = null;
        // Compare against every live token so the time taken does not depend on which one matched.
        foreach (var token in store.ListTokens())
        {
            if (!token.IsRevoked && CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(token.Hash)))
            {
                match = token;
            }
        }

        return match;
    }
}
