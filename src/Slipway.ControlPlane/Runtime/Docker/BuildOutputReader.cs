using System.Text.Json;

namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>
/// Reads the engine's image-build progress stream: one JSON object per line, <c>{"stream": text}</c> for build
/// output, <c>{"aux": {"ID": "sha256:..."}}</c> for the built image, <c>{"error": ..., "errorDetail": ...}</c>
/// when a step fails. Output lines go to <c>log</c> as they arrive.
/// </summary>
internal static class BuildOutputReader
{
    /// <returns>The built image id.</returns>
    /// <exception cref="DockerBuildException">A step failed, or the stream ended without an image id.</exception>
    public static async Task<string> ReadAsync(Stream stream, Action<string> log, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream);
        string? imageId = null;
        var pending = "";
        var tail = new Queue<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement message;
            try
            {
                using var doc = JsonDocument.Parse(line);
                message = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                Emit(line);
                continue;
            }

            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (message.TryGetProperty("stream", out var text) && text.ValueKind == JsonValueKind.String)
            {
                // Output arrives in chunks that need not end at a line break.
                pending += text.GetString();
                var lastBreak = pending.LastIndexOf('\n');
                if (lastBreak >= 0)
                {
                    foreach (var part in pending[..lastBreak].Split('\n'))
                    {
                        Emit(part.TrimEnd('\r'));
                    }

                    pending = pending[(lastBreak + 1)..];
                }
            }

            if (message.TryGetProperty("aux", out var aux) && aux.ValueKind == JsonValueKind.Object &&
                aux.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String)
            {
                imageId = id.GetString();
            }

            if (message.TryGetProperty("error", out var error))
            {
                Flush();
                var detail = message.TryGetProperty("errorDetail", out var d) && d.TryGetProperty("message", out var m) ? m.GetString() : null;
                throw new DockerBuildException(detail ?? error.ToString(), [.. tail]);
            }
        }

        Flush();
        return imageId ?? throw new DockerBuildException("the engine finished the build without reporting an image id", [.. tail]);

        void Emit(string part)
        {
            log(part);
            tail.Enqueue(part);
            if (tail.Count > 20)
            {
                tail.Dequeue();
            }
        }

        void Flush()
        {
            if (pending.Length > 0)
            {
                Emit(pending.TrimEnd('\r', '\n'));
                pending = "";
            }
        }
    }
}
