using System.Globalization;
using System.Security.Cryptography;
using Slipway.ControlPlane.Hosting;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Source;

namespace Slipway.ControlPlane.SelfDeploy;

/// <summary>
/// A single-file Slipway release binary as what a self-deploy deploys (<c>slipway self-deploy --binary FILE</c>, for a
/// host with no .NET SDK; docs/install.md): the release tree is that one file, nothing is built, and the candidate runs
/// it as <c>./slipway server</c> with this instance's home, edge socket and ports.
/// </summary>
internal static class SelfBinary
{
    /// <summary>The binary's name inside its release tree.</summary>
    public const string FileName = "slipway";

    private static readonly byte[] Elf = [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>What is wrong with <paramref name="path"/> as a release binary, or null when it can be deployed.</summary>
    public static string? Check(string path)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return $"'{path}' is not an absolute path; the CLI sends one, API callers must too.";
        }

        if (Directory.Exists(path))
        {
            return $"'{path}' is a directory; give the release binary itself (to build from a checkout use --from DIR).";
        }

        if (!File.Exists(path))
        {
            return $"'{path}' does not exist on the server's machine.";
        }

        try
        {
            var head = new byte[Elf.Length];
            using (var stream = File.OpenRead(path))
            {
                stream.ReadExactly(head);
            }

            if (!head.AsSpan().SequenceEqual(Elf))
            {
                return $"'{path}' is not an executable binary (no ELF header); give the single-file `slipway` of a release (build/release.sh).";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"'{path}' cannot be read by the control plane: {e.Message}";
        }

        return (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0
            ? $"'{path}' is not executable; chmod +x it first."
            : null;
    }

    /// <summary>True when a self deployment's <c>from</c> names a file: a release binary rather than a checkout.</summary>
    public static bool IsBinary(string? from) => from is not null && File.Exists(from);

    /// <summary>Copies the binary into the workspace as <see cref="FileName"/> (mode 0755); its revision names its sha256.</summary>
    public static async Task<SourceResult> CopyAsync(string binary, string workspace, DeployLog log, CancellationToken cancellationToken)
    {
        var target = Path.Combine(workspace, FileName);
        // Hashed as it is copied: the revision names the bytes written into the release, read once.
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var source = File.OpenRead(binary))
        await using (var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                await copy.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var hash = sha256.GetHashAndReset();
        var hex = Convert.ToHexStringLower(hash);
        var megabytes = new FileInfo(target).Length / 1024.0 / 1024.0;
        log.Append(string.Create(CultureInfo.InvariantCulture, $"copied release binary {binary} ({megabytes:0.0} MiB, sha256 {hex})"));
        return new SourceResult("binary-" + hex[..12], Dirty: false, Ref: null, SourceKind.Binary);
    }

    /// <summary>The candidate's command when it runs a release binary: the same settings as the embedded default spec's.</summary>
    public static string RunCommand(ControlPlaneOptions options) =>
        $"./{FileName} server --home {SelfApp.Shell(options.FullHome)} --listen 127.0.0.1:$PORT " +
        $"--edge-socket {SelfApp.Shell(options.EdgeSocketPath)} --ports {SelfApp.Shell(options.Ports)}";
}
