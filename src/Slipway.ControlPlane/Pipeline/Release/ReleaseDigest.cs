using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Slipway.ControlPlane.IO;

namespace Slipway.ControlPlane.Pipeline.Release;

/// <summary>
/// The content digest of a release tree, <c>sha256:&lt;64 hex&gt;</c>. Two trees have the same digest exactly
/// when they hold the same paths with the same content, executable bits and symlink targets.
/// </summary>
/// <remarks>
/// Framing (version 1). The hash input is the ASCII header <c>slipway-release-digest-v1\n</c>, then, for every
/// regular file and symlink, ordered by relative path (ordinal comparison, '/' separators), three fields:
/// the type and mode (<c>100644</c>, <c>100755</c> when any execute bit is set, or <c>120000</c> for a symlink),
/// the UTF-8 relative path, and the content (the file's bytes, or the symlink's target as UTF-8). Each field is
/// preceded by its length as an unsigned 64-bit big-endian integer, so no field can bleed into the next.
/// Directories contribute only through the paths below them (an empty directory does not count), and write
/// bits are ignored, so making the tree read-only does not change its digest.
/// </remarks>
internal static class ReleaseDigest
{
    public const string Prefix = "sha256:";

    private static readonly byte[] Header = Encoding.ASCII.GetBytes("slipway-release-digest-v1\n");

    /// <param name="excludedPaths">Relative paths ('/' separators) to leave out, e.g. <c>release.json</c>.</param>
    public static string Compute(string root, IReadOnlySet<string>? excludedPaths = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Header);

        var entries = FileTree.Walk(root)
            .Where(e => e.Kind != TreeEntryKind.Directory)
            .Where(e => excludedPaths is null || !excludedPaths.Contains(e.RelativePath))
            .OrderBy(e => e.RelativePath, StringComparer.Ordinal);

        var buffer = new byte[81920];
        foreach (var entry in entries)
        {
            switch (entry.Kind)
            {
                case TreeEntryKind.Symlink:
                    AppendField(hash, "120000"u8);
                    AppendField(hash, Encoding.UTF8.GetBytes(entry.RelativePath));
                    AppendField(hash, Encoding.UTF8.GetBytes(new FileInfo(entry.FullPath).LinkTarget!));
                    break;
                case TreeEntryKind.File:
                    var executable = (UnixPermissions.Get(entry.FullPath) & UnixPermissions.ExecuteBits) != 0;
                    AppendField(hash, executable ? "100755"u8 : "100644"u8);
                    AppendField(hash, Encoding.UTF8.GetBytes(entry.RelativePath));
                    AppendFile(hash, entry.FullPath, buffer);
                    break;
                default:
                    throw new IOException(
                        $"'{entry.RelativePath}' is not a regular file, directory or symlink; a release cannot contain it.");
            }
        }

        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True when the tree at <paramref name="root"/> still has the digest its manifest records.</summary>
    public static bool Verify(string root, ReleaseManifest manifest) =>
        string.Equals(
            Compute(root, new HashSet<string>(StringComparer.Ordinal) { ReleaseManifest.FileName }),
            manifest.Digest,
            StringComparison.Ordinal);

    /// <summary>The hex part of a digest, without the <c>sha256:</c> prefix.</summary>
    public static string Hex(string digest) =>
        digest.StartsWith(Prefix, StringComparison.Ordinal)
            ? digest[Prefix.Length..]
            : throw new ArgumentException($"'{digest}' is not a sha256 digest.", nameof(digest));

    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        AppendLength(hash, field.Length);
        hash.AppendData(field);
    }

    private static void AppendFile(IncrementalHash hash, string path, byte[] buffer)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = stream.Length;
        AppendLength(hash, length);
        long read = 0;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            read += n;
        }

        if (read != length)
        {
            throw new IOException($"'{path}' changed while its digest was computed.");
        }
    }

    private static void AppendLength(IncrementalHash hash, long length)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(prefix, (ulong)length);
        hash.AppendData(prefix);
    }
}
