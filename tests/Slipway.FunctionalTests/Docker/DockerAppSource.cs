using System.Text;

namespace Slipway.FunctionalTests.Docker;

/// <summary>
/// Source folders of a tiny container app for <c>runtime: docker</c>: an image <c>FROM scratch</c> holding a static
/// busybox whose <c>httpd</c> serves <c>/healthz</c>, <c>/ready</c>, <c>/version</c> (the release's
/// <c>release.json</c>) and <c>/</c> (the version's content and the generation), on 127.0.0.1:$PORT with host networking.
/// </summary>
internal sealed class DockerAppSource : IDisposable
{
    private const string StartScript =
        """
        /bin/busybox echo "starting $SLIPWAY_APP generation $SLIPWAY_GENERATION on 127.0.0.1:$PORT"
        if [ -n "$EXIT_AT_START" ]; then
          /bin/busybox echo "fatal: $EXIT_AT_START" >&2
          exit 3
        fi
        /bin/busybox mkdir -p /www
        /bin/busybox cp /app/release.json /www/version
        echo "$(/bin/busybox cat /app/content.txt) g$SLIPWAY_GENERATION" > /www/index.html
        echo ok > /www/healthz
        echo ok > /www/ready
        exec /bin/busybox httpd -f -p "${HTTPD_BIND:-127.0.0.1}:$PORT" -h /www
        """;

    private const string Dockerfile =
        """
        FROM scratch
        COPY busybox /bin/busybox
        COPY start.sh content.txt release.json /app/
        CMD ["/bin/busybox", "sh", "/app/start.sh"]
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("slipway-docker-src-").FullName;
    private int _count;

    /// <summary>The spec of a docker app; <paramref name="env"/> goes into the container's environment.</summary>
    public static string Spec(string app, IReadOnlyDictionary<string, string>? env = null, string dockerfile = "Dockerfile", string? extra = null)
    {
        var yaml = new StringBuilder()
            .AppendLine($"app: {app}")
            .AppendLine("build: []")
            .AppendLine("runtime: docker")
            .AppendLine($"docker: {{ dockerfile: {dockerfile} }}")
            .AppendLine($"routes: [ {{ host: {app}.test, path: / }} ]")
            .AppendLine("probes: { interval: 200ms, timeout: 2s, passes: 2, deadline: 20s }")
            .AppendLine("drain: { timeout: 5s }")
            .AppendLine("stop_grace: 2s");
        if (extra is not null)
        {
            yaml.AppendLine(extra);
        }

        if (env is { Count: > 0 })
        {
            yaml.AppendLine("env:");
            foreach (var (name, value) in env)
            {
                yaml.AppendLine($"  {name}: \"{value}\"");
            }
        }

        return yaml.ToString();
    }

    /// <summary>Writes a version folder serving <paramref name="content"/> at <c>/</c>; returns its path.</summary>
    public string Version(string app, string content, bool withDockerfile = true)
    {
        var dir = Path.Combine(_root, $"{app}-{Interlocked.Increment(ref _count)}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "slipway.yml"), Spec(app));
        File.WriteAllText(Path.Combine(dir, "content.txt"), content + "\n");
        File.WriteAllText(Path.Combine(dir, "start.sh"), StartScript + "\n");
        if (File.Exists(DockerRequirement.BusyboxPath))
        {
            File.Copy(DockerRequirement.BusyboxPath, Path.Combine(dir, "busybox"));
        }
        if (withDockerfile)
        {
            File.WriteAllText(Path.Combine(dir, "Dockerfile"), Dockerfile + "\n");
        }

        return dir;
    }

    /// <summary>A build context for an image built directly through the engine (no release): serves <c>/healthz</c> and <c>/version</c>.</summary>
    public string Context(string content)
    {
        var dir = Version("ctx", content);
        File.WriteAllText(Path.Combine(dir, "release.json"), "{\"revision\":\"test\",\"digest\":\"sha256:test\"}\n");
        return dir;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
