using System.Security.Cryptography;
using System.Text;

namespace Slipway.ControlPlane.Webhooks;

/// <summary>HMAC-SHA256 over the exact bytes received, compared in constant time.</summary>
internal static class WebhookSignature
{
    /// <summary>The header value a forge would send for <paramref name="body"/>: <paramref name="prefix"/> + lowercase hex.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body, string prefix = "") =>
        prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>True when <paramref name="header"/> is <paramref name="prefix"/> + the hex HMAC of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string header, string prefix)
    {
        Span<byte> given = stackalloc byte[32];
        if (!TryParse(header, prefix, given))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The 32 bytes a <paramref name="prefix"/> + 64 hex digits header carries; false when it is anything else.</summary>
    public static bool TryParse(string header, string prefix, Span<byte> given)
    {
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = header.AsSpan(prefix.Length).Trim();
        return hex.Length == 64
            && Convert.FromHexString(hex, given, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32;
    }
}
