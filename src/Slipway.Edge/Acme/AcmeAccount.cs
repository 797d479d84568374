using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Slipway.Edge.Persistence;

namespace Slipway.Edge.Acme;

/// <summary>
/// The account key and URL for one ACME directory, created once and kept in
/// <c>HOME/edge/acme/account-HASH.json</c> (mode 0600), so renewals and restarts reuse the same account.
/// </summary>
internal sealed record AcmeAccount
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Directory { get; init; } = "";

    public string KeyPkcs8 { get; init; } = "";

    public string? AccountUrl { get; init; }

    public static string PathFor(string acmeDirectory, string directoryUrl) =>
        Path.Combine(acmeDirectory, "account-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directoryUrl)))[..12] + ".json");

    /// <summary>The saved account for <paramref name="directoryUrl"/>, or a new key (saved before it is used).</summary>
    public static AcmeAccount LoadOrCreate(string path, string directoryUrl)
    {
        if (File.Exists(path) && JsonSerializer.Deserialize<AcmeAccount>(File.ReadAllText(path), AcmeJson.Options) is { KeyPkcs8.Length: > 0 } saved)
        {
            return saved;
        }

        using var signer = AcmeSigner.Create();
        var account = new AcmeAccount { Directory = directoryUrl, KeyPkcs8 = Convert.ToBase64String(signer.ExportPkcs8()) };
        account.Save(path);
        return account;
    }

    public void Save(string path)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, AcmeJson.Options), Private);
    }
}
