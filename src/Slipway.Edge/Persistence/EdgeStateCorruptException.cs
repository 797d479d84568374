namespace Slipway.Edge.Persistence;

/// <summary>The state file exists but cannot be read; the edge refuses to start rather than lose routes and processes.</summary>
public sealed class EdgeStateCorruptException(string path, string reason, Exception? inner = null)
    : Exception($"The edge state file {path} is unreadable ({reason}). The edge will not overwrite it. " +
                "Repair it, or move it aside to start with no services and no processes (running processes would then not be re-adopted).", inner)
{
    public string Path { get; } = path;
}
