using System.Security.Cryptography;
using System.Text;

namespace Slipway.Edge.Secrets;

/// <summary>
/// Seals secret values with AES-256-GCM under the master key. Each value gets a fresh 96-bit nonce; the
/// associated data binds a value to its owner (e.g. <c>webhook:hello</c>) so a sealed value copied onto another
/// row does not open. Stored form: <c>v1:</c> + base64(nonce ‖ ciphertext ‖ tag).
/// </summary>
public sealed class SecretBox(byte[] key)
{
    private const string Prefix = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key = key.Length == MasterKey.Length
        ? key
        : throw new ArgumentException($"The master key must be {MasterKey.Length} bytes.", nameof(key));

    public string Seal(string plaintext, string owner)
    {
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + clear.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, clear, sealedBytes.AsSpan(NonceSize, clear.Length), sealedBytes.AsSpan(NonceSize + clear.Length), Encoding.UTF8.GetBytes(owner));
        CryptographicOperations.ZeroMemory(clear);
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <exception cref="CryptographicException">The value was sealed with another key or for another owner, or was altered.</exception>
    public string Open(string sealedText, string owner)
    {
        if (!sealedText.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new CryptographicException("The stored secret is not in a format this Slipway knows.");
        }

        var sealedBytes = Convert.FromBase64String(sealedText[Prefix.Length..]);
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The stored secret is truncated.");
        }

        var length = sealedBytes.Length - NonceSize - TagSize;
        var clear = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), clear, Encoding.UTF8.GetBytes(owner));
        return Encoding.UTF8.GetString(clear);
    }
}
