using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using Slipway.Client;

namespace Slipway.Cli;

/// <summary><c>slipway version</c>: this CLI's build, and the server's release manifest when it answers.</summary>
internal static class VersionCommand
{
    public static string CliVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Command Create()
    {
        var command = new Command("version", "Print this CLI's version and, if the server answers, the version of the running control plane.");
        ClientCommand.SetAction(command, async (context, cancellationToken) =>
        {
            JsonElement? server = null;
            string? problem = null;
            var exitCode = ExitCodes.Ok;
            try
            {
                server = await context.Client.GetVersionAsync(cancellationToken);
            }
            catch (ServerUnreachableException ex)
            {
                // The CLI's own version is still printed; the exit code tells scripts the server is not there.
                problem = ex.Message;
                exitCode = ExitCodes.Unreachable;
            }
            catch (Exception ex) when (ex is AdminApiException or JsonException)
            {
                problem = ex.Message;
                exitCode = ExitCodes.Failed;
            }

            if (context.Json)
            {
                context.Output.Json(new { cli = CliVersion, server });
            }
            else
            {
                context.Output.Line($"cli:    {CliVersion}");
                if (server is { } s)
                {
                    context.Output.Line($"server: {Summary(s)} ({context.Client.Endpoint.BaseUrl})");
                }
            }

            if (problem is not null)
            {
                context.Output.Error(problem);
            }

            return exitCode;
        }, json: true);
        return command;
    }

    /// <summary>The server's release manifest in one line: release, revision, digest and build time.</summary>
    public static string Summary(JsonElement manifest)
    {
        if (manifest.ValueKind != JsonValueKind.Object)
        {
            return manifest.ToString();
        }

        var parts = new[] { "version", "release", "revision", "digest", "builtAt" }
            .Where(key => manifest.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String)
            .Select(key => $"{key} {manifest.GetProperty(key).GetString()}")
            .ToList();
        return parts.Count > 0 ? string.Join(", ", parts) : manifest.GetRawText();
    }
}
