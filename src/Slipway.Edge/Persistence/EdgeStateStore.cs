using System.Text.Json;
using Slipway.Edge.Control;

namespace Slipway.Edge.Persistence;

/// <summary>Reads and atomically writes <c>HOME/edge/state.json</c>.</summary>
public sealed class EdgeStateStore(string path)
{
    public string Path { get; } = path;

    /// <summary>The saved state; an empty state when there is no file yet. Throws <see cref="EdgeStateCorruptException"/> when it cannot be read.</summary>
    public EdgeState Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (FileNotFoundException)
        {
            return new EdgeState();
        }
        catch (DirectoryNotFoundException)
        {
            return new EdgeState();
        }

        EdgeState? state;
        try
        {
            state = JsonSerializer.Deserialize<EdgeState>(bytes, ControlJson.Options);
        }
        catch (JsonException ex)
        {
            throw new EdgeStateCorruptException(Path, $"invalid JSON at {ex.Path ?? "$"}, line {ex.LineNumber + 1}", ex);
        }

        if (state is null)
        {
            throw new EdgeStateCorruptException(Path, "it holds null instead of a state object");
        }

        if (state.Version != EdgeState.CurrentVersion)
        {
            throw new EdgeStateCorruptException(Path, $"version {state.Version} is not the supported version {EdgeState.CurrentVersion}");
        }

        return state;
    }

    public Task SaveAsync(EdgeState state, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllBytesAsync(Path, JsonSerializer.SerializeToUtf8Bytes(state, ControlJson.Options), cancellationToken);
}
