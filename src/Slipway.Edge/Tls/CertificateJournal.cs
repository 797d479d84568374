using System.Text.Json;
using Slipway.Edge.Control;

namespace Slipway.Edge.Tls;

/// <summary>
/// Appends what happened to certificates (added, removed, issued, renewal failed) to
/// <c>HOME/logs/certificates.log</c>, one JSON object per line. Holds names, dates and errors, never keys.
/// </summary>
internal sealed class CertificateJournal(string path, TimeProvider time)
{
    private readonly Lock _lock = new();

    public string Path { get; } = path;

    public void Append(string kind, string host, string? detail = null)
    {
        var line = JsonSerializer.Serialize(new CertificateJournalEntry { At = time.GetUtcNow(), Kind = kind, Host = host, Detail = detail }, ControlJson.Options);
        lock (_lock)
        {
            File.AppendAllText(Path, line + "\n");
        }
    }

    public IReadOnlyList<CertificateJournalEntry> Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var entries = new List<CertificateJournalEntry>();
        foreach (var line in File.ReadAllLines(Path))
        {
            try
            {
                if (JsonSerializer.Deserialize<CertificateJournalEntry>(line, ControlJson.Options) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
                // A line cut short by a crash: skip it.
            }
        }

        return entries;
    }
}
