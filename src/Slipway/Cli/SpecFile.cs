using System.Text.Json;
using Slipway.Client;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Slipway.Cli;

/// <summary>A local <c>slipway.yml</c> (or JSON spec) as <c>apps add</c> sends it: its text and the app name inside.</summary>
internal sealed record SpecFile(string Path, string Text, bool IsJson, string App)
{
    /// <summary>Reads the file and its <c>app</c> key; the server validates the rest.</summary>
    public static SpecFile Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new CliConfigurationException($"{path}: no such file; pass the path of a slipway.yml (`slipway init` writes one)");
        }

        var text = File.ReadAllText(full);
        var isJson = full.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var app = isJson ? ReadJsonApp(path, text) : ReadYamlApp(path, text);
        if (string.IsNullOrWhiteSpace(app))
        {
            throw new CliConfigurationException($"{path}: missing key 'app'; add a line like `app: hello` naming the app");
        }

        return new SpecFile(full, text, isJson, app);
    }

    private static string? ReadYamlApp(string path, string text)
    {
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw new CliConfigurationException($"{path}: expected a YAML mapping with keys like `app:`, `run:`, `routes:`");
            }

            return root.Children.TryGetValue(new YamlScalarNode("app"), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;
        }
        catch (YamlException ex)
        {
            throw new CliConfigurationException($"{path}:{ex.Start.Line} not valid YAML: {ex.Message}");
        }
    }

    private static string? ReadJsonApp(string path, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("app", out var app)
                && app.ValueKind == JsonValueKind.String
                ? app.GetString()
                : null;
        }
        catch (JsonException ex)
        {
            throw new CliConfigurationException($"{path}:{(ex.LineNumber ?? 0) + 1} not valid JSON: {ex.Message}");
        }
    }
}
