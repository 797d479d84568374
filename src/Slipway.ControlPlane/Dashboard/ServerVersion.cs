using System.Text.Json;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>The fields of the control plane's <c>/version</c> manifest the footer shows.</summary>
internal sealed record ServerVersion(string Release, string Revision, string Digest, string BuiltAt)
{
    public static ServerVersion Parse(string manifest)
    {
        try
        {
            using var json = JsonDocument.Parse(manifest);
            var root = json.RootElement;
            return new ServerVersion(Field(root, "release"), Field(root, "revision"), Field(root, "digest"), Field(root, "builtAt"));
        }
        catch (JsonException)
        {
            return new ServerVersion("?", "?", "?", "?");
        }
    }

    private static string Field(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.ToString() : "";
}
