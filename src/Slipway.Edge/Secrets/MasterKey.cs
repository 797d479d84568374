using System.Security.Cryptography;

namespace Slipway.Edge.Secrets;

/// <summary>
/// The 256-bit key that encrypts secrets at rest: from <c>SLIPWAY_MASTER_KEY</c> (base64 or 64 hex digits) when
/// set, otherwise from <c>HOME/master.key</c>, created with mode 0600 on first use. Losing it makes every stored
/// secret unreadable, so it is never rotated silently. The edge and the control plane load the same key: the
/// control plane seals app secrets in the store with it, the edge seals the secret environment of the processes it
/// persists in <c>HOME/edge/state.json</c>.
/// </summary>
public static class MasterKey
{
    public const string EnvironmentVariable = "SLIPWAY_MASTER_KEY";
    public const string FileName = "master.key";
    public const int Length = 32;

    /// <summary>The key from <c>SLIPWAY_MASTER_KEY</c> in this process's environment, else from (or created in) <paramref name="home"/>.</summary>
    public static byte[] Load(string home) => Load(home, Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static byte[] Load(string home, string? fromEnvironment)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Parse(fromEnvironment.Trim())
                ?? throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not a 256-bit key: give 32 bytes as base64 (e.g. `openssl rand -base64 32`) or as 64 hex digits.");
        }

        var path = Path.Combine(home, FileName);
        if (File.Exists(path))
        {
            return Parse(File.ReadAllText(path).Trim())
                ?? throw new InvalidOperationException(
                    $"{path} does not hold a 256-bit key (base64 of 32 bytes). Restore it from a backup: secrets stored with another key cannot be read.");
        }

        var key = RandomNumberGenerator.GetBytes(Length);
        Directory.CreateDirectory(home);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            // Another instance on the same home may have created it first; theirs wins so both use one key.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return Load(home, null);
        }

        return key;
    }

    private static byte[]? Parse(string text)
    {
        if (text.Length == Length * 2 && text.All(char.IsAsciiHexDigit))
        {
            return Convert.FromHexString(text);
        }

        var buffer = new byte[Length + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) && written == Length ? buffer[..Length] : null;
    }
}
