using System.Security.Cryptography;
using System.Text.Json;
using Slipway.Edge.Secrets;

namespace Slipway.Edge.Supervision;

/// <summary>
/// Seals a process's secret environment for the state file and opens it again after an edge restart. The associated
/// data binds the sealed text to its process id. The master key is loaded on first use only, so an edge whose
/// processes have no secrets never creates one.
/// </summary>
internal sealed class ProcessSecretSealer(Func<SecretBox> box)
{
    private readonly Lazy<SecretBox> _box = new(box);

    public string Seal(string processId, IReadOnlyDictionary<string, string> secrets) =>
        _box.Value.Seal(JsonSerializer.Serialize(secrets), Owner(processId));

    /// <summary>The secrets, or null when they were sealed under another key (or altered).</summary>
    public IReadOnlyDictionary<string, string>? Open(string processId, string sealedSecrets)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(_box.Value.Open(sealedSecrets, Owner(processId)));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }

    private static string Owner(string processId) => "edge-process:" + processId;
}
