using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Slipway.Cli;

/// <summary>
/// Guesses how to build and run the project in a directory and writes a commented <c>slipway.yml</c> for it.
/// The guess checks, in order: a <c>.csproj</c>, a <c>package.json</c>, a <c>requirements.txt</c>, a <c>Dockerfile</c>.
/// </summary>
internal static partial class SpecTemplate
{
    public static (ProjectKind Kind, string Yaml) Generate(string directory)
    {
        var dir = new DirectoryInfo(directory);
        var app = AppName.FromDirectory(dir.Name);
        var header = new StringBuilder()
            .AppendLine($"# Slipway app spec for {dir.Name}, written by `slipway init`. Review it, then:")
            .AppendLine("#   slipway apps add slipway.yml && slipway deploy " + app + " --from .")
            .AppendLine("# Reference: docs/app-spec.md in the Slipway repository. Every key below except `app` is optional.")
            .AppendLine($"app: {app}                      # [a-z][a-z0-9-]{{0,39}}")
            .AppendLine("# source: { git: https://forge.example/you/repo.git, branch: main }   # deploy without --from");

        var csproj = dir.EnumerateFiles("*.csproj").OrderBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault();
        if (csproj is not null)
        {
            var assembly = AssemblyName(csproj);
            return (ProjectKind.DotNet, header
                .AppendLine("build:                          # steps run in order in the release tree; a non-zero exit fails the deploy")
                .AppendLine($"  - {{ name: publish, run: dotnet publish {csproj.Name} -c Release -o out, timeout: 10m }}")
                .AppendLine("runtime: process")
                .AppendLine($"run: {{ command: dotnet out/{assembly}.dll }}   # the app must listen on 127.0.0.1:$PORT, e.g. WebHost.UseUrls")
                .Append(Tail(app, "/healthz"))
                .ToString());
        }

        var packageJson = Path.Combine(dir.FullName, "package.json");
        if (File.Exists(packageJson))
        {
            header
                .AppendLine("build:")
                .AppendLine("  - { name: install, run: npm ci, timeout: 10m }");
            if (HasNpmScript(packageJson, "build"))
            {
                header.AppendLine("  - { name: build, run: npm run build, timeout: 10m }");
            }

            return (ProjectKind.Node, header
                .AppendLine("runtime: process")
                .AppendLine("run: { command: npm start }      # the server must listen on process.env.PORT")
                .Append(Tail(app, "/healthz"))
                .ToString());
        }

        if (File.Exists(Path.Combine(dir.FullName, "requirements.txt")))
        {
            var entry = new[] { "app.py", "main.py", "server.py", "wsgi.py" }.FirstOrDefault(f => File.Exists(Path.Combine(dir.FullName, f))) ?? "app.py";
            return (ProjectKind.Python, header
                .AppendLine("build:")
                .AppendLine("  - { name: venv, run: python3 -m venv .venv, timeout: 2m }")
                .AppendLine("  - { name: install, run: .venv/bin/pip install -r requirements.txt, timeout: 10m }")
                .AppendLine("runtime: process")
                .AppendLine($"run: {{ command: .venv/bin/python {entry} }}   # the server must listen on os.environ['PORT']")
                .Append(Tail(app, "/healthz"))
                .ToString());
        }

        var dockerfile = Path.Combine(dir.FullName, "Dockerfile");
        if (File.Exists(dockerfile))
        {
            var port = ExposedPort(dockerfile);
            var portText = port is { } p ? $", port: {p} }}   # the container port, from EXPOSE" : " }   # no EXPOSE found: host networking, PORT in the environment";
            return (ProjectKind.Docker, header
                .AppendLine("runtime: docker                 # the image is built from the release tree")
                .AppendLine($"docker: {{ dockerfile: Dockerfile{portText}")
                .Append(Tail(app, "/healthz"))
                .ToString());
        }

        return (ProjectKind.Unknown, header
            .AppendLine("# No .csproj, package.json, requirements.txt or Dockerfile found: fill in the build and run steps.")
            .AppendLine("build:")
            .AppendLine("  - { name: build, run: ./build.sh, timeout: 10m }")
            .AppendLine("runtime: process")
            .AppendLine("run: { command: ./server }      # must listen on the port in $PORT")
            .Append(Tail(app, "/healthz"))
            .ToString());
    }

    private static string Tail(string app, string health) => new StringBuilder()
        .AppendLine($"routes: [ {{ host: {app}.localhost, path: / }} ]")
        .AppendLine("# Probes a new generation must pass before it gets traffic. Point them at endpoints your app serves;")
        .AppendLine("# the version probe expects the file in $SLIPWAY_RELEASE_MANIFEST to be served as-is.")
        .AppendLine($"probes: {{ health: {health}, ready: /ready, version: /version, interval: 1s, timeout: 5s, passes: 2, deadline: 60s }}")
        .AppendLine("drain: { timeout: 30s }          # how long the old generation finishes in-flight requests")
        .AppendLine("stop_grace: 30s")
        .AppendLine("rollback_window: 10m             # the previous generation stays warm this long")
        .AppendLine("keep_releases: 5")
        .AppendLine("# env: { GREETING: hi }")
        .AppendLine("# secrets: [ DATABASE_URL ]      # values set with `slipway secrets set`, never in this file")
        .AppendLine("environments: [ prod ]")
        .ToString();

    private static string AssemblyName(FileInfo csproj)
    {
        try
        {
            var name = XDocument.Load(csproj.FullName).Descendants().FirstOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value.Trim();
            if (!string.IsNullOrEmpty(name) && !name.Contains("$(", StringComparison.Ordinal))
            {
                return name;
            }
        }
        catch (System.Xml.XmlException)
        {
            // An unreadable project file still names the assembly after itself, which is MSBuild's default.
        }

        return Path.GetFileNameWithoutExtension(csproj.Name);
    }

    private static bool HasNpmScript(string packageJson, string script)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(packageJson));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("scripts", out var scripts)
                && scripts.ValueKind == JsonValueKind.Object
                && scripts.TryGetProperty(script, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int? ExposedPort(string dockerfile)
    {
        foreach (var line in File.ReadLines(dockerfile))
        {
            var match = ExposeLine().Match(line);
            if (match.Success && int.TryParse(match.Groups[1].Value, out var port))
            {
                return port;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\s*EXPOSE\s+(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex ExposeLine();
}
