using System.Text.RegularExpressions;
using Slipway.ControlPlane.Runtime;
using Slipway.Edge.Control;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Slipway.ControlPlane.Spec;

/// <summary>
/// Parses and validates <c>slipway.yml</c> (docs/architecture.md §8). Every problem is collected with its file, line, column and
/// dotted key, then thrown together as one <see cref="SpecException"/>; a spec that parses is complete, with
/// defaults filled in.
/// </summary>
internal static partial class AppSpecParser
{
    private static readonly string[] RootKeys =
    [
        "app", "source", "build", "runtime", "run", "docker", "routes", "probes", "drain", "stop_grace",
        "rollback_window", "keep_releases", "env", "secrets", "migrate", "migrate_timeout", "environments",
        "promote", "max_request_body_bytes", "protocol", "rollout", "replicas", "placement",
    ];

    private static readonly string[] PlacementKeys = ["constraints", "max_per_node"];

    private static readonly string[] SourceKeys = ["git", "branch", "deploy_tags"];
    private static readonly string[] BuildStepKeys = ["name", "run", "timeout"];
    private static readonly string[] RunKeys = ["command"];
    private static readonly string[] DockerKeys = ["dockerfile", "port"];
    private static readonly string[] RouteKeys = ["host", "path", "tls", "redirect_http", "hsts"];
    private static readonly string[] TlsModes = ["auto", "files", "off"];
    private static readonly string[] HstsKeys = ["max_age", "include_subdomains"];
    private static readonly TimeSpan DefaultHstsMaxAge = TimeSpan.FromDays(365);
    private static readonly string[] ProbeKeys = ["kind", "service", "health", "ready", "version", "interval", "timeout", "passes", "deadline"];
    private static readonly string[] ProbeKinds = ["http", "grpc"];
    private static readonly string[] Protocols = ["http1", "h2c"];
    private static readonly string[] DrainKeys = ["timeout"];
    private static readonly string[] Runtimes = [.. RuntimeKind.All.Select(k => k.Name)];
    private static readonly string[] EnvironmentKeys = ["name", "routes"];
    private static readonly string[] PromoteModes = [.. Enum.GetValues<PromoteMode>().Select(WireName.Of)];

    /// <summary>The longest spec read at all (256 KiB of text): checked before parsing, like the nesting depth.</summary>
    public const int MaxCharacters = 256 * 1024;

    /// <summary>Parses a YAML spec. Throws <see cref="SpecException"/> listing every problem.</summary>
    public static AppSpec Parse(string yaml, string fileName = "slipway.yml")
    {
        var reader = new SpecReader(fileName);
        if (yaml.Length > MaxCharacters)
        {
            throw new SpecException([new SpecError(fileName, 0, 0, "",
                $"is {yaml.Length} characters long; the limit is {MaxCharacters} (an app spec is a few hundred), so this is not a spec")]);
        }

        var spec = Read(yaml, reader);
        if (reader.Errors.Count > 0 || spec is null)
        {
            // Checks run in dependency order; users read top to bottom. Problems without a position go last.
            throw new SpecException([.. reader.Errors.OrderBy(e => e.Line == 0 ? int.MaxValue : e.Line).ThenBy(e => e.Column)]);
        }

        return spec;
    }

    /// <summary>Reads and parses a spec file; errors name <paramref name="path"/> as given.</summary>
    public static AppSpec ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var message = e is FileNotFoundException or DirectoryNotFoundException
                ? "does not exist; create it (`slipway init` writes a starting point) or pass the right path"
                : $"cannot be read ({e.Message}); check its permissions";
            throw new SpecException([new SpecError(path, 0, 0, "", message)]);
        }

        return Parse(text, path);
    }

    /// <summary>
    /// Parses a JSON spec (as the API accepts). JSON is a subset of YAML's flow syntax, so the same rules,
    /// messages and positions apply.
    /// </summary>
    public static AppSpec ParseJson(string json, string fileName = "spec.json") =>
        // YAML forbids tabs as indentation but JSON allows them anywhere as whitespace; outside strings they
        // carry no meaning, so turning leading tabs into spaces keeps positions and content intact.
        Parse(ReplaceLeadingTabs(json), fileName);

    private static AppSpec? Read(string yaml, SpecReader reader)
    {
        var stream = new YamlStream();
        var parser = new PositionTrackingParser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (SpecLimitException e)
        {
            reader.Error(e.At, "", e.Message);
            return null;
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is YamlException ie ? ie.Message : null;
            var message = inner is null ? e.Message : $"{e.Message} ({inner})";
            reader.Error(e.Start, "", $"is not valid YAML: {message}; check the indentation and quoting around this position");
            return null;
        }
        catch (InvalidOperationException)
        {
            reader.Error(parser.LastGood, "", "is not valid YAML after this position; check for an unclosed `{`, `[` or quote");
            return null;
        }

        if (stream.Documents.Count == 0 || SpecReader.IsNull(stream.Documents[0].RootNode))
        {
            reader.Error(Mark.Empty, "", "the spec is empty; start with `app: NAME`");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            reader.Error(stream.Documents[1].RootNode, "", "holds more than one YAML document; keep one app spec per file");
        }

        var root = reader.Mapping(stream.Documents[0].RootNode, "", RootKeys, "app: hello");
        if (root is null)
        {
            return null;
        }

        var spec = new AppSpec { App = "", SourceText = yaml };

        if (root.TryGetValue("app", out var app))
        {
            var name = reader.String(app.Value, "app");
            if (name is not null)
            {
                ValidateAppName(name, app.Value, reader);
                spec = spec with { App = name };
            }
        }
        else
        {
            reader.Error(Mark.Empty, "app", "is missing; add `app: NAME` (lowercase letters, digits and dashes)");
        }

        if (Optional(root, "source") is { } source)
        {
            spec = spec with { Source = ReadSource(source, reader) };
        }

        if (Optional(root, "build") is { } build)
        {
            spec = spec with { Build = ReadBuild(build, reader) };
        }

        if (root.TryGetValue("runtime", out var runtime))
        {
            var value = reader.String(runtime.Value, "runtime");
            if (value is not null && RuntimeKind.Parse(value) is { } kind)
            {
                spec = spec with { Runtime = kind };
            }
            else if (value is not null)
            {
                var suggestion = KeySuggester.Suggest(value, Runtimes);
                var hint = suggestion is null ? "" : $" (did you mean `{suggestion}`?)";
                reader.Error(runtime.Value, "runtime", $"`{value}` is not a runtime; use {string.Join(" or ", Runtimes.Select(r => $"`{r}`"))}{hint}");
            }
        }

        if (Optional(root, "run") is { } run)
        {
            spec = spec with { Run = ReadRun(run, reader) };
        }

        if (Optional(root, "docker") is { } docker)
        {
            spec = spec with { Docker = ReadDocker(docker, reader) };
        }

        if (spec.Runtime == RuntimeKind.Process && spec.Run is null && !HasErrorAt(reader, "run") && !HasErrorAt(reader, "runtime"))
        {
            reader.Error(root.TryGetValue("runtime", out var rt) ? rt.Key : stream.Documents[0].RootNode, "run",
                "no run command: the process runtime needs one; add `run: { command: ... }` (PORT is given in the environment)");
        }

        if (spec.Runtime == RuntimeKind.Docker && spec.Docker is null)
        {
            spec = spec with { Docker = new DockerSpec() };
        }

        spec = ReadSwarm(root, spec, reader);

        if (Optional(root, "routes") is { } routes)
        {
            spec = spec with { Routes = ReadRoutes(routes, "routes", reader) };
        }

        if (root.TryGetValue("protocol", out var protocol) && reader.String(protocol.Value, "protocol") is { } protocolName)
        {
            if (Protocols.Contains(protocolName))
            {
                spec = spec with { Protocol = protocolName };
            }
            else
            {
                var suggestion = KeySuggester.Suggest(protocolName, Protocols);
                var hint = suggestion is null ? "" : $" (did you mean `{suggestion}`?)";
                reader.Error(protocol.Value, "protocol", $"`{protocolName}` is not a protocol; use `http1` (HTTP/1.1) or `h2c` (HTTP/2 with prior knowledge, e.g. gRPC){hint}");
            }
        }

        if (Optional(root, "probes") is { } probes)
        {
            spec = spec with { Probes = ReadProbes(probes, reader) };
            if (spec.Probes.Kind == "grpc" && spec.Protocol != "h2c" && !HasErrorAt(reader, "protocol"))
            {
                reader.Error(probes, "probes.kind",
                    "a gRPC health check needs HTTP/2 to the app; add `protocol: h2c`");
            }
        }

        if (Optional(root, "drain") is { } drain)
        {
            var map = reader.Mapping(drain, "drain", DrainKeys, "drain: { timeout: 30s }");
            if (map is not null && map.TryGetValue("timeout", out var t) && reader.Duration(t.Value, "drain.timeout", allowZero: true) is { } timeout)
            {
                spec = spec with { Drain = new DrainSpec { Timeout = timeout } };
            }
        }

        if (root.TryGetValue("stop_grace", out var stopGrace) && reader.Duration(stopGrace.Value, "stop_grace", allowZero: true) is { } grace)
        {
            spec = spec with { StopGrace = grace };
        }

        if (root.TryGetValue("rollback_window", out var window) && reader.Duration(window.Value, "rollback_window", allowZero: true) is { } rollback)
        {
            spec = spec with { RollbackWindow = rollback };
        }

        if (root.TryGetValue("keep_releases", out var keep) &&
            reader.Integer(keep.Value, "keep_releases", 1, 1000, "keep at least 1 release, e.g. `keep_releases: 5`") is { } keepReleases)
        {
            spec = spec with { KeepReleases = (int)keepReleases };
        }

        IReadOnlyList<string> secrets = [];
        if (Optional(root, "secrets") is { } secretsNode)
        {
            secrets = ReadSecrets(secretsNode, reader);
            spec = spec with { Secrets = secrets };
        }

        if (Optional(root, "env") is { } env)
        {
            spec = spec with { Env = ReadEnv(env, secrets, reader) };
        }

        if (root.TryGetValue("migrate", out var migrate) && reader.String(migrate.Value, "migrate") is { } command)
        {
            spec = spec with { Migrate = command };
        }

        if (root.TryGetValue("migrate_timeout", out var migrateTimeout) &&
            reader.Duration(migrateTimeout.Value, "migrate_timeout", allowZero: false) is { } mt)
        {
            spec = spec with { MigrateTimeout = mt };
        }

        if (root.TryGetValue("environments", out var environments))
        {
            var (names, routesByEnv) = ReadEnvironments(environments.Value, reader);
            spec = spec with { Environments = names, EnvironmentRoutes = routesByEnv };
            CheckEnvironmentRoutes(spec, environments.Value, reader);
        }

        if (root.TryGetValue("promote", out var promote) && reader.String(promote.Value, "promote") is { } mode)
        {
            if (WireName.Parse<PromoteMode>(mode) is { } parsed)
            {
                spec = spec with { Promote = parsed };
            }
            else
            {
                var suggestion = KeySuggester.Suggest(mode, PromoteModes);
                var hint = suggestion is null ? "" : $" (did you mean `{suggestion}`?)";
                reader.Error(promote.Value, "promote", $"`{mode}` is not a promotion mode; use `auto` or `manual`{hint}");
            }
        }

        if (root.TryGetValue("max_request_body_bytes", out var maxBody) &&
            reader.Integer(maxBody.Value, "max_request_body_bytes", 1, long.MaxValue, "give a size in bytes, e.g. `10485760` for 10 MiB") is { } max)
        {
            spec = spec with { MaxRequestBodyBytes = max };
        }

        if (Optional(root, "rollout") is { } rollout)
        {
            spec = spec with { Rollout = RolloutSpecParser.Read(rollout, reader) };
        }

        return spec;
    }

    /// <summary><c>replicas</c> and <c>placement</c>, which only a swarm app may set; a swarm app builds its image as a docker app does.</summary>
    private static AppSpec ReadSwarm(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> root, AppSpec spec, SpecReader reader)
    {
        if (spec.Runtime != RuntimeKind.Swarm)
        {
            foreach (var key in new[] { "replicas", "placement" })
            {
                if (root.TryGetValue(key, out var entry) && !HasErrorAt(reader, "runtime"))
                {
                    reader.Error(entry.Key, key, $"applies to `runtime: swarm` only; this app's runtime is `{spec.Runtime.Name}`");
                }
            }

            return spec;
        }

        var swarm = new SwarmSpec();
        if (root.TryGetValue("replicas", out var replicas) &&
            reader.Integer(replicas.Value, "replicas", 1, 100, "give the number of tasks per generation, between 1 and 100") is { } count)
        {
            swarm = swarm with { Replicas = (int)count };
        }

        if (Optional(root, "placement") is { } placement
            && reader.Mapping(placement, "placement", PlacementKeys, "placement: { constraints: [node.role==worker], max_per_node: 1 }") is { } map)
        {
            if (Optional(map, "constraints") is { } constraints
                && reader.Sequence(constraints, "placement.constraints", "constraints: [node.labels.zone==a]") is { } list)
            {
                var read = new List<string>();
                for (var i = 0; i < list.Children.Count; i++)
                {
                    var path = $"placement.constraints[{i}]";
                    if (reader.String(list.Children[i], path) is not { } constraint)
                    {
                        continue;
                    }

                    if (!constraint.Contains("==", StringComparison.Ordinal) && !constraint.Contains("!=", StringComparison.Ordinal))
                    {
                        reader.Error(list.Children[i], path, $"`{constraint}` is not a swarm constraint; write `ATTRIBUTE==VALUE` or `ATTRIBUTE!=VALUE`, e.g. `node.labels.zone==a`");
                        continue;
                    }

                    read.Add(constraint);
                }

                swarm = swarm with { Constraints = read };
            }

            if (map.TryGetValue("max_per_node", out var perNode) &&
                reader.Integer(perNode.Value, "placement.max_per_node", 1, 100, "give how many tasks of a generation one node may run (1: every task has the node's port to itself)") is { } most)
            {
                swarm = swarm with { MaxPerNode = (int)most };
            }
        }

        if (spec.Docker?.Port is not null)
        {
            reader.Error(root["docker"].Key, "docker.port", "a swarm task uses its node's host network: drop `docker.port` and listen on 0.0.0.0:$PORT");
        }

        if (root.TryGetValue("rollout", out var rollout))
        {
            reader.Error(rollout.Key, "rollout", "canary rollouts do not run on `runtime: swarm` yet; remove `rollout` (a swarm deploy is a health-gated full swap)");
        }

        return spec with { Swarm = swarm, Docker = spec.Docker ?? new DockerSpec() };
    }

    private static YamlNode? Optional(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> map, string key) =>
        map.TryGetValue(key, out var entry) && !SpecReader.IsNull(entry.Value) ? entry.Value : null;

    private static bool HasErrorAt(SpecReader reader, string key) =>
        reader.Errors.Any(e => e.Key == key || e.Key.StartsWith(key + ".", StringComparison.Ordinal));

    private static void ValidateAppName(string name, YamlNode node, SpecReader reader)
    {
        if (name.Length > 40)
        {
            reader.Error(node, "app", $"is {name.Length} characters long; use at most 40 (lowercase letters, digits and dashes)");
        }
        else if (!AppNamePattern().IsMatch(name))
        {
            var suggestion = name.ToLowerInvariant().Replace('_', '-');
            var hint = suggestion != name && IsValidAppName(suggestion) ? $" (try `{suggestion}`)" : "";
            reader.Error(node, "app",
                $"`{name}` is not a valid app name; use lowercase letters, digits and dashes, starting with a letter{hint}");
        }
    }

    /// <summary>Whether <paramref name="name"/> is a valid app name (also used by the API for URL segments).</summary>
    public static bool IsValidAppName(string name) => AppNamePattern().IsMatch(name);

    private static SourceSpec? ReadSource(YamlNode node, SpecReader reader)
    {
        var map = reader.Mapping(node, "source", SourceKeys, "source: { git: https://forge.example/acme/hello.git, branch: main }");
        if (map is null)
        {
            return null;
        }

        var source = new SourceSpec();
        if (map.TryGetValue("git", out var git))
        {
            source = source with { Git = reader.String(git.Value, "source.git") };
        }
        else if (!HasErrorAt(reader, "source"))
        {
            reader.Error(node, "source.git", "is missing; add `git: URL`, or remove `source` and deploy with `--from DIR`");
        }

        if (map.TryGetValue("branch", out var branch) && reader.String(branch.Value, "source.branch") is { } b)
        {
            if (b.Any(char.IsWhiteSpace) || b.StartsWith('-'))
            {
                reader.Error(branch.Value, "source.branch", $"`{b}` is not a branch name; write it without spaces, e.g. `main`");
            }
            else
            {
                source = source with { Branch = b };
            }
        }

        if (map.TryGetValue("deploy_tags", out var tags) && reader.Boolean(tags.Value, "source.deploy_tags") is { } deployTags)
        {
            source = source with { DeployTags = deployTags };
        }

        return source;
    }

    private static List<BuildStep> ReadBuild(YamlNode node, SpecReader reader)
    {
        var steps = new List<BuildStep>();
        var sequence = reader.Sequence(node, "build", "build: [ { name: publish, run: dotnet publish -o out } ]");
        if (sequence is null)
        {
            return steps;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"build[{i}]";
            var item = sequence.Children[i];
            var map = reader.Mapping(item, path, BuildStepKeys, "{ name: publish, run: dotnet publish -o out }");
            if (map is null)
            {
                continue;
            }

            string? name = null;
            if (map.TryGetValue("name", out var n))
            {
                name = reader.String(n.Value, path + ".name");
                if (name is not null && !names.Add(name))
                {
                    reader.Error(n.Value, path + ".name", $"`{name}` is already used by another step; give each step its own name");
                }
            }
            else
            {
                reader.Error(item, path + ".name", "is missing; add `name: STEP` so logs and errors can name this step");
            }

            string? run = null;
            if (map.TryGetValue("run", out var r))
            {
                run = reader.String(r.Value, path + ".run");
            }
            else
            {
                reader.Error(item, path + ".run", "is missing; add `run: COMMAND` with the command this step runs");
            }

            TimeSpan? timeout = null;
            if (map.TryGetValue("timeout", out var t))
            {
                timeout = reader.Duration(t.Value, path + ".timeout", allowZero: false);
            }

            if (name is not null && run is not null)
            {
                var step = new BuildStep { Name = name, Run = run };
                steps.Add(timeout is { } value ? step with { Timeout = value } : step);
            }
        }

        return steps;
    }

    private static RunSpec? ReadRun(YamlNode node, SpecReader reader)
    {
        var map = reader.Mapping(node, "run", RunKeys, "run: { command: dotnet out/Hello.dll }");
        if (map is null)
        {
            return null;
        }

        if (!map.TryGetValue("command", out var command))
        {
            if (HasErrorAt(reader, "run"))
            {
                return null; // the unknown key already says what was probably meant
            }

            reader.Error(node, "run.command", "is missing; add `command: ...` with the command that starts the app");
            return null;
        }

        return reader.String(command.Value, "run.command") is { } c ? new RunSpec { Command = c } : null;
    }

    private static DockerSpec? ReadDocker(YamlNode node, SpecReader reader)
    {
        var map = reader.Mapping(node, "docker", DockerKeys, "docker: { dockerfile: Dockerfile, port: 8080 }");
        if (map is null)
        {
            return null;
        }

        var docker = new DockerSpec();
        if (map.TryGetValue("dockerfile", out var file) && reader.String(file.Value, "docker.dockerfile") is { } f)
        {
            if (Path.IsPathRooted(f) || f.Split('/', '\\').Contains(".."))
            {
                reader.Error(file.Value, "docker.dockerfile", $"`{f}` must be a path inside the release tree, e.g. `Dockerfile` or `deploy/Dockerfile`");
            }
            else
            {
                docker = docker with { Dockerfile = f };
            }
        }

        if (map.TryGetValue("port", out var port) &&
            reader.Integer(port.Value, "docker.port", 1, 65535, "use the port the container listens on, between 1 and 65535") is { } p)
        {
            docker = docker with { Port = (int)p };
        }

        return docker;
    }

    private static List<RouteSpec> ReadRoutes(YamlNode node, string key, SpecReader reader)
    {
        var routes = new List<RouteSpec>();
        var sequence = reader.Sequence(node, key, "routes: [ { host: hello.localhost, path: / } ]");
        if (sequence is null)
        {
            return routes;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{key}[{i}]";
            var map = reader.Mapping(sequence.Children[i], path, RouteKeys, "{ host: hello.localhost, path: / }");
            if (map is null)
            {
                continue;
            }

            var route = new RouteSpec();
            if (map.TryGetValue("host", out var host) && reader.String(host.Value, path + ".host") is { } h)
            {
                var lower = h.Trim().ToLowerInvariant();
                if (IsValidHost(lower))
                {
                    route = route with { Host = lower };
                }
                else
                {
                    reader.Error(host.Value, path + ".host",
                        $"`{h}` is not a host; use a hostname (`hello.example.com`), a wildcard (`*.example.com`) or `*` — no scheme, port or path");
                }
            }

            if (map.TryGetValue("path", out var p) && reader.String(p.Value, path + ".path") is { } routePath)
            {
                if (IsValidPath(routePath))
                {
                    route = route with { Path = routePath };
                }
                else
                {
                    reader.Error(p.Value, path + ".path", $"`{routePath}` must start with `/` and hold no spaces, `?` or `#`, e.g. `/` or `/api`");
                }
            }

            route = ReadRouteTls(map, path, route, reader);
            if (routes.Any(r => r.Place == route.Place))
            {
                reader.Error(sequence.Children[i], path, $"duplicates an earlier route ({route.Host}{route.Path}); remove one");
            }
            else
            {
                routes.Add(route);
            }
        }

        return routes;
    }

    /// <summary><c>tls</c>, <c>redirect_http</c> and <c>hsts</c> of one route, checked against its host.</summary>
    private static RouteSpec ReadRouteTls(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> map, string path, RouteSpec route, SpecReader reader)
    {
        var tls = RouteSpec.DefaultTls(route.Host);
        if (map.TryGetValue("tls", out var t) && reader.String(t.Value, path + ".tls") is { } mode)
        {
            mode = mode.Trim().ToLowerInvariant();
            if (!TlsModes.Contains(mode))
            {
                reader.Error(t.Value, path + ".tls", $"`{mode}` is not a TLS mode; use `auto` (certificate from ACME), `files` (from `slipway certs add`) or `off`");
            }
            else if (mode == "auto" && RouteSpec.DefaultTls(route.Host) != "auto")
            {
                reader.Error(t.Value, path + ".tls", route.Host.StartsWith("*.", StringComparison.Ordinal) && route.Host != "*.localhost"
                    ? $"`auto` cannot get a certificate for the wildcard `{route.Host}` (HTTP-01 and TLS-ALPN-01 validate single names); use `tls: files` and `slipway certs add '{route.Host}' --cert FILE --key FILE`"
                    : $"`auto` cannot get a public certificate for `{route.Host}`; route a real hostname, or use `tls: files` or `off`");
            }
            else
            {
                tls = mode;
            }
        }

        route = route with { Tls = tls };
        if (map.TryGetValue("redirect_http", out var r) && reader.Boolean(r.Value, path + ".redirect_http") is { } redirect)
        {
            route = route with { RedirectHttp = redirect };
        }

        if (map.TryGetValue("hsts", out var h))
        {
            route = ReadHsts(h.Value, path + ".hsts", route, reader);
            if (route.HstsMaxAge is not null && tls == "off")
            {
                reader.Error(h.Value, path + ".hsts", $"needs TLS, and this route has `tls: off`{(map.ContainsKey("tls") ? "" : $" (the default for `{route.Host}`)")}; remove `hsts` or turn TLS on");
            }
        }

        return route;
    }

    private static RouteSpec ReadHsts(YamlNode node, string path, RouteSpec route, SpecReader reader)
    {
        if (node is YamlScalarNode)
        {
            return reader.Boolean(node, path) is true ? route with { HstsMaxAge = DefaultHstsMaxAge } : route;
        }

        var map = reader.Mapping(node, path, HstsKeys, "hsts: { max_age: 8760h, include_subdomains: true }");
        if (map is null)
        {
            return route;
        }

        route = route with { HstsMaxAge = DefaultHstsMaxAge };
        if (map.TryGetValue("max_age", out var age) && reader.Duration(age.Value, path + ".max_age", allowZero: true) is { } maxAge)
        {
            route = route with { HstsMaxAge = maxAge };
        }

        if (map.TryGetValue("include_subdomains", out var sub) && reader.Boolean(sub.Value, path + ".include_subdomains") is { } include)
        {
            route = route with { HstsIncludeSubdomains = include };
        }

        return route;
    }

    private static ProbeSpec ReadProbes(YamlNode node, SpecReader reader)
    {
        var probes = new ProbeSpec();
        var map = reader.Mapping(node, "probes", ProbeKeys, "probes: { health: /healthz, ready: /ready, version: /version }");
        if (map is null)
        {
            return probes;
        }

        string? ProbePath(string key)
        {
            if (!map.TryGetValue(key, out var entry) || reader.String(entry.Value, "probes." + key) is not { } value)
            {
                return null;
            }

            if (!IsValidPath(value))
            {
                reader.Error(entry.Value, "probes." + key, $"`{value}` must be a path starting with `/`, e.g. `/{key}`");
                return null;
            }

            return value;
        }

        TimeSpan? ProbeDuration(string key) =>
            map.TryGetValue(key, out var entry) ? reader.Duration(entry.Value, "probes." + key, allowZero: false) : null;

        if (map.TryGetValue("kind", out var kindEntry) && reader.String(kindEntry.Value, "probes.kind") is { } kind)
        {
            if (ProbeKinds.Contains(kind))
            {
                probes = probes with { Kind = kind };
            }
            else
            {
                var suggestion = KeySuggester.Suggest(kind, ProbeKinds);
                var hint = suggestion is null ? "" : $" (did you mean `{suggestion}`?)";
                reader.Error(kindEntry.Value, "probes.kind", $"`{kind}` is not a probe kind; use `http` (GET health and ready paths) or `grpc` (grpc.health.v1.Health/Check){hint}");
            }
        }

        if (probes.Kind == "grpc")
        {
            foreach (var key in new[] { "health", "ready" })
            {
                if (map.TryGetValue(key, out var httpOnly))
                {
                    reader.Error(httpOnly.Key, "probes." + key,
                        "is an HTTP path, but `kind: grpc` checks grpc.health.v1.Health/Check; remove it (name a gRPC service with `service:` if needed)");
                }
            }

            if (map.TryGetValue("service", out var serviceEntry) && reader.String(serviceEntry.Value, "probes.service", allowEmpty: true) is { } grpcService)
            {
                probes = probes with { GrpcService = grpcService };
            }
        }
        else if (map.TryGetValue("service", out var notGrpc))
        {
            reader.Error(notGrpc.Key, "probes.service", "names a gRPC health service and needs `kind: grpc`");
        }

        probes = probes with
        {
            Health = ProbePath("health") ?? probes.Health,
            Ready = ProbePath("ready") ?? probes.Ready,
            Version = ProbePath("version") ?? probes.Version,
            Interval = ProbeDuration("interval") ?? probes.Interval,
            Timeout = ProbeDuration("timeout") ?? probes.Timeout,
            Deadline = ProbeDuration("deadline") ?? probes.Deadline,
        };

        if (map.TryGetValue("passes", out var passes) &&
            reader.Integer(passes.Value, "probes.passes", 1, 1000, "at least 1 consecutive pass is needed, e.g. `passes: 2`") is { } n)
        {
            probes = probes with { Passes = (int)n };
        }

        if (map.TryGetValue("deadline", out var deadline) && probes.Deadline < probes.Interval)
        {
            reader.Error(deadline.Value, "probes.deadline",
                $"({Duration.Format(probes.Deadline)}) is shorter than probes.interval ({Duration.Format(probes.Interval)}); raise the deadline so probes can pass");
        }

        return probes;
    }

    private static List<string> ReadSecrets(YamlNode node, SpecReader reader)
    {
        var secrets = new List<string>();
        var sequence = reader.Sequence(node, "secrets", "secrets: [ DATABASE_URL ]");
        if (sequence is null)
        {
            return secrets;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"secrets[{i}]";
            if (reader.String(sequence.Children[i], path) is not { } name)
            {
                continue;
            }

            if (!SecretNamePattern().IsMatch(name))
            {
                reader.Error(sequence.Children[i], path,
                    $"`{name}` is not a secret name; use uppercase letters, digits and underscores, e.g. `{SuggestSecretName(name)}`");
            }
            else if (secrets.Contains(name))
            {
                reader.Error(sequence.Children[i], path, $"`{name}` is listed twice; remove the duplicate");
            }
            else
            {
                secrets.Add(name);
            }
        }

        return secrets;
    }

    private static Dictionary<string, string> ReadEnv(YamlNode node, IReadOnlyList<string> secrets, SpecReader reader)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, "env", "must be a mapping of names to values, e.g. `env: { GREETING: hi }`");
            return env;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                reader.Error(keyNode, "env", "variable names must be plain words");
                continue;
            }

            var path = "env." + key;
            if (!EnvNamePattern().IsMatch(key))
            {
                reader.Error(keyNode, path, $"`{key}` is not a valid variable name; use letters, digits and underscores, not starting with a digit");
                continue;
            }

            if (key == "PORT" || key.StartsWith("SLIPWAY_", StringComparison.Ordinal))
            {
                reader.Error(keyNode, path, $"`{key}` is set by Slipway for every generation; remove it from env");
                continue;
            }

            if (secrets.Contains(key))
            {
                reader.Error(keyNode, path, $"`{key}` is also listed in secrets; keep it in one place (secrets for sensitive values)");
                continue;
            }

            // Scalars are read as written, so `DEBUG: on` stays "on" rather than becoming a YAML 1.1 boolean.
            if (reader.String(valueNode, path, allowEmpty: true) is { } value)
            {
                env[key] = value;
            }
        }

        return env;
    }

    /// <summary>
    /// Reads <c>environments</c>: each entry is a name (<c>test</c>) or a mapping with its own routes
    /// (<c>{ name: test, routes: [...] }</c>).
    /// </summary>
    private static (List<string> Names, Dictionary<string, IReadOnlyList<RouteSpec>> Routes) ReadEnvironments(YamlNode node, SpecReader reader)
    {
        var environments = new List<string>();
        var routes = new Dictionary<string, IReadOnlyList<RouteSpec>>(StringComparer.Ordinal);
        var sequence = reader.Sequence(node, "environments", "environments: [ test, prod ]");
        if (sequence is null)
        {
            return (["prod"], routes);
        }

        if (sequence.Children.Count == 0)
        {
            reader.Error(node, "environments", "is empty; list at least one, e.g. `environments: [ prod ]`");
            return (["prod"], routes);
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"environments[{i}]";
            var item = sequence.Children[i];
            string? name;
            List<RouteSpec>? own = null;
            if (item is YamlMappingNode)
            {
                var map = reader.Mapping(item, path, EnvironmentKeys, "{ name: test, routes: [ { host: test.hello.localhost } ] }");
                if (map is null)
                {
                    continue;
                }

                if (!map.TryGetValue("name", out var n))
                {
                    reader.Error(item, path + ".name", "is missing; add `name: ENV`, e.g. `{ name: test, routes: [...] }`");
                    continue;
                }

                name = reader.String(n.Value, path + ".name");
                item = n.Value;
                if (map.TryGetValue("routes", out var r))
                {
                    own = SpecReader.IsNull(r.Value) ? [] : ReadRoutes(r.Value, path + ".routes", reader);
                }
            }
            else
            {
                name = reader.String(item, path);
            }

            if (name is null)
            {
                continue;
            }

            if (!EnvironmentNamePattern().IsMatch(name))
            {
                reader.Error(item, path,
                    $"`{name}` is not an environment name; use lowercase letters, digits and dashes, e.g. `test` or `prod`");
            }
            else if (environments.Contains(name))
            {
                reader.Error(item, path, $"`{name}` is listed twice; list each environment once, in deploy order");
            }
            else
            {
                environments.Add(name);
                if (own is not null)
                {
                    routes[name] = own;
                }
            }
        }

        return (environments.Count == 0 ? ["prod"] : environments, routes);
    }

    /// <summary>Two environments behind one host and path would fight over the same edge route.</summary>
    private static void CheckEnvironmentRoutes(AppSpec spec, YamlNode node, SpecReader reader)
    {
        var last = spec.Environments[^1];
        if (spec.EnvironmentRoutes.TryGetValue(last, out var lastRoutes) && lastRoutes.Count > 0 && spec.Routes.Count > 0)
        {
            reader.Error(node, "environments",
                $"`{last}` declares its own routes and the top-level `routes` belong to it too; keep one of them");
            return;
        }

        var owner = new Dictionary<(string, string), string>();
        foreach (var env in spec.Environments)
        {
            foreach (var route in spec.RoutesFor(env))
            {
                if (owner.TryGetValue(route.Place, out var other))
                {
                    reader.Error(node, "environments",
                        $"`{env}` and `{other}` both route {route.Host}{route.Path}; give each environment its own host or path, e.g. `test.{route.Host.TrimStart('*', '.')}`");
                }
                else
                {
                    owner[route.Place] = env;
                }
            }
        }
    }

    private static bool IsValidHost(string host)
    {
        if (host == "*")
        {
            return true;
        }

        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return name.Length is > 0 and <= 253 && name.Split('.').All(label => HostLabelPattern().IsMatch(label));
    }

    private static bool IsValidPath(string path) =>
        path.StartsWith('/') && !path.Any(c => char.IsWhiteSpace(c) || c is '?' or '#' || char.IsControl(c));

    private static string SuggestSecretName(string name)
    {
        var upper = new string(name.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return upper.Length > 0 && char.IsAsciiDigit(upper[0]) ? "_" + upper : upper;
    }

    private static string ReplaceLeadingTabs(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var tabs = 0;
            while (tabs < lines[i].Length && lines[i][tabs] is '\t' or ' ')
            {
                tabs++;
            }

            if (tabs > 0)
            {
                lines[i] = lines[i][..tabs].Replace('\t', ' ') + lines[i][tabs..];
            }
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex AppNamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex("^[A-Z_][A-Z0-9_]*$")]
    private static partial Regex SecretNamePattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex EnvironmentNamePattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex HostLabelPattern();
}
