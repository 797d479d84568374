using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Spec;

namespace Slipway.ControlPlane.Tests.Spec;

public sealed class AppSpecParserTests
{
    private const string Minimal = """
        app: hello
        run: { command: dotnet out/Hello.dll }
        """;

    private static List<SpecError> Errors(string yaml)
    {
        var exception = Assert.Throws<SpecException>(() => AppSpecParser.Parse(yaml, "slipway.yml"));
        Assert.NotEmpty(exception.Errors);
        return [.. exception.Errors];
    }

    private static SpecError SingleError(string yaml) => Assert.Single(Errors(yaml));

    [Fact]
    public void Parse_DesignExample_ReadsEveryField()
    {
        const string yaml = """
            app: hello
            source: { git: https://forge.example/acme/hello.git, branch: main, deploy_tags: true }
            build:
              - { name: publish, run: dotnet publish -c Release -o out, timeout: 10m }
            runtime: process
            run: { command: dotnet out/Hello.dll }
            docker: { dockerfile: Dockerfile, port: 8080 }
            routes: [ { host: Hello.Localhost, path: / } ]
            probes: { health: /healthz, ready: /ready, version: /version, interval: 1s, timeout: 5s, passes: 2, deadline: 60s }
            drain: { timeout: 30s }
            stop_grace: 30s
            rollback_window: 10m
            keep_releases: 5
            env: { GREETING: hi, DEBUG: on, COUNT: 3 }
            secrets: [ DATABASE_URL ]
            migrate: dotnet out/Hello.dll --migrate
            migrate_timeout: 2m
            environments: [ test, prod ]
            max_request_body_bytes: 1048576
            """;

        var spec = AppSpecParser.Parse(yaml);

        Assert.Equal("hello", spec.App);
        Assert.Equal(new SourceSpec { Git = "https://forge.example/acme/hello.git", Branch = "main", DeployTags = true }, spec.Source);
        var step = Assert.Single(spec.Build);
        Assert.Equal(("publish", "dotnet publish -c Release -o out", TimeSpan.FromMinutes(10)), (step.Name, step.Run, step.Timeout));
        Assert.Equal("dotnet out/Hello.dll", spec.Run!.Command);
        Assert.Equal(new DockerSpec { Dockerfile = "Dockerfile", Port = 8080 }, spec.Docker);
        Assert.Equal([new RouteSpec { Host = "hello.localhost", Path = "/" }], spec.Routes);
        Assert.Equal(new ProbeSpec(), spec.Probes);
        Assert.Equal(TimeSpan.FromSeconds(30), spec.Drain.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(10), spec.RollbackWindow);
        Assert.Equal("on", spec.Env["DEBUG"]);
        Assert.Equal("3", spec.Env["COUNT"]);
        Assert.Equal(["DATABASE_URL"], spec.Secrets);
        Assert.Equal("dotnet out/Hello.dll --migrate", spec.Migrate);
        Assert.Equal(TimeSpan.FromMinutes(2), spec.MigrateTimeout);
        Assert.Equal(["test", "prod"], spec.Environments);
        Assert.Equal(1048576, spec.MaxRequestBodyBytes);
        Assert.Equal(yaml, spec.SourceText);
    }

    [Fact]
    public void Parse_GrpcApp_ReadsProtocolAndGrpcProbe()
    {
        var spec = AppSpecParser.Parse(Minimal + "\nprotocol: h2c\nprobes: { kind: grpc, service: acme.Greeter, version: /version }\n");

        Assert.Equal("h2c", spec.Protocol);
        Assert.Equal(new ProbeSpec { Kind = "grpc", GrpcService = "acme.Greeter" }, spec.Probes);
        Assert.Equal("http1", AppSpecParser.Parse(Minimal).Protocol);
    }

    [Fact]
    public void Parse_GrpcProbeWithoutH2c_SaysToAddTheProtocol()
    {
        var error = SingleError(Minimal + "\nprobes: { kind: grpc }\n");

        Assert.Equal("probes.kind", error.Key);
        Assert.Contains("protocol: h2c", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("protocol: h2", "protocol", "did you mean `h2c`")]
    [InlineData("protocol: h2c\nprobes: { kind: grcp }", "probes.kind", "did you mean `grpc`")]
    [InlineData("protocol: h2c\nprobes: { kind: grpc, health: /healthz }", "probes.health", "grpc.health.v1.Health/Check")]
    [InlineData("probes: { service: acme.Greeter }", "probes.service", "kind: grpc")]
    public void Parse_BadProtocolOrProbeKind_NamesTheKey(string lines, string key, string hint)
    {
        var error = SingleError(Minimal + "\n" + lines + "\n");

        Assert.Equal(key, error.Key);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void Parse_Minimal_FillsDefaults()
    {
        var spec = AppSpecParser.Parse(Minimal);

        Assert.Equal("process", spec.Runtime.Name);
        Assert.Null(spec.Source);
        Assert.Empty(spec.Build);
        Assert.Null(spec.Docker);
        Assert.Empty(spec.Routes);
        Assert.Equal("/healthz", spec.Probes.Health);
        Assert.Equal(2, spec.Probes.Passes);
        Assert.Equal(TimeSpan.FromSeconds(60), spec.Probes.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(30), spec.StopGrace);
        Assert.Equal(5, spec.KeepReleases);
        Assert.Equal(["prod"], spec.Environments);
        Assert.Null(spec.MaxRequestBodyBytes);
    }

    [Fact]
    public void Parse_PartialProbes_KeepsDefaultsForTheRest()
    {
        var spec = AppSpecParser.Parse(Minimal + "\nprobes: { deadline: 1m30s, passes: 3 }\n");

        Assert.Equal(TimeSpan.FromSeconds(90), spec.Probes.Deadline);
        Assert.Equal(3, spec.Probes.Passes);
        Assert.Equal("/ready", spec.Probes.Ready);
        Assert.Equal(TimeSpan.FromSeconds(1), spec.Probes.Interval);
    }

    [Fact]
    public void Parse_DockerRuntimeWithoutSection_UsesDockerDefaultsAndNeedsNoRun()
    {
        var spec = AppSpecParser.Parse("app: hello\nruntime: docker\n");

        Assert.Equal("docker", spec.Runtime.Name);
        Assert.Equal(new DockerSpec(), spec.Docker);
        Assert.Null(spec.Run);
    }

    [Fact]
    public void Parse_SwarmRuntime_ReadsReplicasAndPlacementWithDefaults()
    {
        var defaults = AppSpecParser.Parse("app: hello\nruntime: swarm\n");
        Assert.Equal(RuntimeKind.Swarm, defaults.Runtime);
        Assert.Equal(new SwarmSpec(), defaults.Swarm);
        Assert.Equal((1, 1), (defaults.Swarm!.Replicas, defaults.Swarm.MaxPerNode));
        Assert.Equal(new DockerSpec(), defaults.Docker);

        var spec = AppSpecParser.Parse("app: hello\nruntime: swarm\nreplicas: 3\nplacement: { constraints: [node.labels.zone==a, node.role!=manager], max_per_node: 2 }\n");
        Assert.Equal(3, spec.Swarm!.Replicas);
        Assert.Equal(["node.labels.zone==a", "node.role!=manager"], spec.Swarm.Constraints);
        Assert.Equal(2, spec.Swarm.MaxPerNode);
    }

    [Theory]
    [InlineData("app: hello\nruntime: docker\nreplicas: 2\n", "replicas", 3, "applies to `runtime: swarm` only")]
    [InlineData("app: hello\nruntime: swarm\nreplicas: 0\n", "replicas", 3, "between 1 and 100")]
    [InlineData("app: hello\nruntime: swarm\nplacement: { constraints: [zone-a] }\n", "placement.constraints[0]", 3, "is not a swarm constraint")]
    [InlineData("app: hello\nruntime: swarm\ndocker: { port: 8080 }\n", "docker.port", 3, "listen on 0.0.0.0:$PORT")]
    [InlineData("app: hello\nruntime: swarm\nrollout: { steps: [10%] }\n", "rollout", 3, "do not run on `runtime: swarm` yet")]
    public void Parse_SwarmKeysMisused_NamesTheKeyAndWhatToDo(string yaml, string key, int line, string says)
    {
        var error = SingleError(yaml);

        Assert.Equal(key, error.Key);
        Assert.Equal(line, error.Line);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ProcessRuntimeWithoutRun_SaysToAddRunCommand()
    {
        var error = SingleError("app: hello\nruntime: process\n");

        Assert.Equal("run", error.Key);
        Assert.Equal(2, error.Line);
        Assert.Contains("no run command", error.Message, StringComparison.Ordinal);
        Assert.Contains("run: { command: ... }", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RunWithUnknownKey_ReportsOnlyTheUnknownKey()
    {
        var error = SingleError("app: hello\nrun: { cmd: x }\n");

        Assert.Equal("run.cmd", error.Key);
        Assert.Contains("known keys here: command", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RunWithoutCommand_SaysToAddCommand()
    {
        var error = SingleError("app: hello\nrun: { }\n");

        Assert.Equal("run.command", error.Key);
        Assert.Equal(2, error.Line);
        Assert.Contains("add `command: ...`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BareNumberDuration_ReportsLineKeyAndUnitHint()
    {
        var error = SingleError(Minimal + "\nprobes:\n  interval: 1s\n  deadline: 60\n");

        Assert.Equal("probes.deadline", error.Key);
        Assert.Equal(5, error.Line);
        Assert.Equal(13, error.Column);
        Assert.Contains("add one, e.g. `60s`", error.Message, StringComparison.Ordinal);
        Assert.Equal("slipway.yml:5:13: probes.deadline: " + error.Message, error.ToString());
    }

    [Theory]
    [InlineData("stopgrace: 30s", "stopgrace", "stop_grace")]
    [InlineData("stop-grace: 30s", "stop-grace", "stop_grace")]
    [InlineData("rollbackWindow: 5m", "rollbackWindow", "rollback_window")]
    [InlineData("keep_release: 3", "keep_release", "keep_releases")]
    [InlineData("probes: { helth: /h }", "probes.helth", "health")]
    [InlineData("envs: { A: b }", "envs", "env")]
    public void Parse_UnknownKey_SuggestsTheClosestKnownKey(string line, string key, string suggestion)
    {
        var error = SingleError(Minimal + "\n" + line + "\n");

        Assert.Equal(key, error.Key);
        Assert.Equal(3, error.Line);
        Assert.Contains($"did you mean `{suggestion}`?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKeyFarFromAnyKnown_ListsKnownKeys()
    {
        var error = SingleError(Minimal + "\nzzzzzzzz: 1\n");

        Assert.Contains("unknown key `zzzzzzzz`", error.Message, StringComparison.Ordinal);
        Assert.Contains("known keys here: app, source", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../etc", "not a valid app name")]
    [InlineData("Hello", "try `hello`")]
    [InlineData("9lives", "starting with a letter")]
    [InlineData("hello_world", "lowercase letters, digits and dashes")]
    [InlineData("a/b", "not a valid app name")]
    public void Parse_InvalidAppName_IsRejected(string name, string expected)
    {
        var error = SingleError($"app: \"{name}\"\nrun: {{ command: x }}\n");

        Assert.Equal("app", error.Key);
        Assert.Equal(1, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AppNameOf200Chars_SaysTheLimit()
    {
        var error = SingleError($"app: {new string('a', 200)}\nrun: {{ command: x }}\n");

        Assert.Contains("200 characters long; use at most 40", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingApp_SaysToAddIt()
    {
        var error = SingleError("run: { command: x }\n");

        Assert.Equal("app", error.Key);
        Assert.Contains("add `app: NAME`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsEveryOne()
    {
        const string yaml = """
            app: Bad_Name
            runtime: proces
            keep_releases: 0
            probes: { passes: 0, health: healthz }
            secrets: [ database_url ]
            env: { 1BAD: x }
            """;

        var errors = Errors(yaml);

        Assert.Equal(
            ["app", "runtime", "keep_releases", "probes.passes", "probes.health", "secrets[0]", "env.1BAD"],
            errors.Select(e => e.Key));
        Assert.Contains("did you mean `process`?", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("keep at least 1 release", errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("at least 1 consecutive pass", errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("must be a path starting with `/`", errors[4].Message, StringComparison.Ordinal);
        Assert.Contains("`DATABASE_URL`", errors[5].Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3, 4, 4, 5, 6], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Equal("slipway.yml", e.File));
    }

    [Theory]
    [InlineData("{ host: 'http://hello.localhost', path: / }", "routes[0].host", "not a host")]
    [InlineData("{ host: 'hello.localhost:8080' }", "routes[0].host", "no scheme, port or path")]
    [InlineData("{ host: '*.', path: / }", "routes[0].host", "not a host")]
    [InlineData("{ host: hello.localhost, path: api }", "routes[0].path", "must start with `/`")]
    [InlineData("{ host: hello.localhost, path: '/a b' }", "routes[0].path", "no spaces")]
    [InlineData("{ hots: hello.localhost }", "routes[0].hots", "did you mean `host`?")]
    public void Parse_InvalidRoute_IsRejected(string route, string key, string expected)
    {
        var error = SingleError(Minimal + $"\nroutes: [ {route} ]\n");

        Assert.Equal(key, error.Key);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WildcardAndCatchAllHosts_AreAccepted()
    {
        var spec = AppSpecParser.Parse(Minimal + "\nroutes: [ { host: '*.example.com', path: /api }, { host: '*' }, { path: /x } ]\n");

        Assert.Equal(
            [("*.example.com", "/api"), ("*", "/"), ("*", "/x")],
            spec.Routes.Select(r => r.Place));
    }

    [Fact]
    public void Parse_DuplicateRoute_IsRejected()
    {
        var error = SingleError(Minimal + "\nroutes: [ { host: a.localhost }, { host: A.localhost, path: / } ]\n");

        Assert.Equal("routes[1]", error.Key);
        Assert.Contains("duplicates an earlier route", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BuildStepWithoutNameOrRun_NamesBothKeys()
    {
        var errors = Errors(Minimal + "\nbuild:\n  - { timeout: 5m }\n  - { name: test, run: dotnet test, timeout: 0s }\n");

        Assert.Equal(["build[0].name", "build[0].run", "build[1].timeout"], errors.Select(e => e.Key));
        Assert.Contains("add `name: STEP`", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("add `run: COMMAND`", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("longer than zero", errors[2].Message, StringComparison.Ordinal);
        Assert.Equal(4, errors[0].Line);
    }

    [Fact]
    public void Parse_BuildNotAList_ShowsAnExample()
    {
        var error = SingleError(Minimal + "\nbuild: dotnet publish\n");

        Assert.Equal("build", error.Key);
        Assert.Contains("must be a list", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("env: { 'MY-VAR': x }", "env.MY-VAR", "not a valid variable name")]
    [InlineData("env: { PORT: '80' }", "env.PORT", "set by Slipway")]
    [InlineData("env: { SLIPWAY_APP: x }", "env.SLIPWAY_APP", "set by Slipway")]
    [InlineData("env: { A: [1, 2] }", "env.A", "single value")]
    [InlineData("env: [ A ]", "env", "must be a mapping")]
    public void Parse_InvalidEnv_IsRejected(string line, string key, string expected)
    {
        var error = SingleError(Minimal + "\n" + line + "\n");

        Assert.Equal(key, error.Key);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EnvLowercaseName_IsAccepted()
    {
        var spec = AppSpecParser.Parse(Minimal + "\nenv: { http_proxy: 'http://p', _X: '' }\n");

        Assert.Equal("http://p", spec.Env["http_proxy"]);
        Assert.Equal("", spec.Env["_X"]);
    }

    [Fact]
    public void Parse_NameInBothEnvAndSecrets_IsRejected()
    {
        var error = SingleError(Minimal + "\nsecrets: [ TOKEN ]\nenv: { TOKEN: x }\n");

        Assert.Equal("env.TOKEN", error.Key);
        Assert.Contains("also listed in secrets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateSecret_IsRejected()
    {
        var error = SingleError(Minimal + "\nsecrets: [ A, A ]\n");

        Assert.Equal("secrets[1]", error.Key);
        Assert.Contains("listed twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("environments: []", "environments", "is empty")]
    [InlineData("environments: [ prod, prod ]", "environments[1]", "listed twice")]
    [InlineData("environments: [ Prod ]", "environments[0]", "not an environment name")]
    [InlineData("environments: prod", "environments", "must be a list")]
    public void Parse_InvalidEnvironments_IsRejected(string line, string key, string expected)
    {
        var error = SingleError(Minimal + "\n" + line + "\n");

        Assert.Equal(key, error.Key);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CustomEnvironmentName_IsAccepted()
    {
        var spec = AppSpecParser.Parse(Minimal + "\nenvironments: [ staging, prod ]\n");

        Assert.Equal(["staging", "prod"], spec.Environments);
    }

    [Fact]
    public void Parse_EnvironmentWithOwnRoutes_GivesEachEnvironmentItsRoutes()
    {
        var spec = AppSpecParser.Parse(Minimal + """

            routes: [ { host: hello.example.com } ]
            environments:
              - { name: test, routes: [ { host: test.hello.example.com }, { host: hello.example.com, path: /test } ] }
              - prod
            """);

        Assert.Equal(["test", "prod"], spec.Environments);
        Assert.Equal([("test.hello.example.com", "/"), ("hello.example.com", "/test")], spec.RoutesFor("test").Select(r => r.Place));
        Assert.Equal([("hello.example.com", "/")], spec.RoutesFor("prod").Select(r => r.Place));
        Assert.Equal("prod", spec.NextEnvironment("test"));
        Assert.Null(spec.NextEnvironment("prod"));
        Assert.Equal(PromoteMode.Auto, spec.Promote);
    }

    [Fact]
    public void Parse_EnvironmentsWithoutOwnRoutes_OnlyTheLastGetsTheTopLevelRoutes()
    {
        var spec = AppSpecParser.Parse(Minimal + "\nroutes: [ { host: hello.localhost } ]\nenvironments: [ test, prod ]\npromote: manual\n");

        Assert.Empty(spec.RoutesFor("test"));
        Assert.Equal([new RouteSpec { Host = "hello.localhost" }], spec.RoutesFor("prod"));
        Assert.Equal(PromoteMode.Manual, spec.Promote);
    }

    [Theory]
    [InlineData("promote: atuo", "promote", "`atuo` is not a promotion mode; use `auto` or `manual` (did you mean `auto`?)")]
    [InlineData("environments: [ { name: test, rotues: [] }, prod ]", "environments[0].rotues", "unknown key `rotues`; did you mean `routes`?")]
    [InlineData("environments: [ { routes: [] }, prod ]", "environments[0].name", "is missing")]
    [InlineData("environments: [ { name: test, routes: [ { host: a.example.com } ] }, { name: prod, routes: [ { host: a.example.com } ] } ]", "environments",
        "`prod` and `test` both route a.example.com/")]
    [InlineData("routes: [ { host: a.example.com } ]\nenvironments: [ test, { name: prod, routes: [ { host: b.example.com } ] } ]", "environments",
        "`prod` declares its own routes and the top-level `routes` belong to it too")]
    [InlineData("environments: [ { name: test, routes: [ { host: 'a b' } ] }, prod ]", "environments[0].routes[0].host", "is not a host")]
    public void Parse_InvalidEnvironmentRoutesOrPromote_IsRejectedNamingTheKey(string lines, string key, string expected)
    {
        var error = SingleError(Minimal + "\n" + lines + "\n");

        Assert.Equal(key, error.Key);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("docker: { port: 70000 }", "docker.port", "between 1 and 65535")]
    [InlineData("docker: { dockerfile: ../Dockerfile }", "docker.dockerfile", "inside the release tree")]
    [InlineData("source: { branch: main }", "source.git", "add `git: URL`")]
    [InlineData("source: { git: x, deploy_tags: maybe }", "source.deploy_tags", "write `true` or `false`")]
    [InlineData("probes: { interval: 10s, deadline: 5s }", "probes.deadline", "shorter than probes.interval")]
    [InlineData("drain: 30s", "drain", "must be a mapping")]
    [InlineData("keep_releases: many", "keep_releases", "not a whole number")]
    [InlineData("migrate_timeout: 0s", "migrate_timeout", "longer than zero")]
    [InlineData("max_request_body_bytes: 0", "max_request_body_bytes", "size in bytes")]
    public void Parse_InvalidValue_NamesKeyAndFix(string line, string key, string expected)
    {
        var error = SingleError(Minimal + "\n" + line + "\n");

        Assert.Equal(key, error.Key);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_ReportsParserPosition()
    {
        var error = SingleError("app: hello\nrun: { command: x\nprobes: [\n");

        Assert.Equal("", error.Key);
        Assert.True(error.Line >= 2, $"line {error.Line}");
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadIndentation_ReportsLine()
    {
        var error = SingleError("app: hello\nrun:\n  command: x\n   extra: y\n");

        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line is 3 or 4, $"line {error.Line}");
    }

    [Fact]
    public void Parse_DuplicateKey_IsRejected()
    {
        var error = SingleError("app: hello\napp: other\nrun: { command: x }\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Parse_Empty_SaysToStartWithApp(string yaml)
    {
        var error = SingleError(yaml);

        Assert.Contains("the spec is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RootIsAList_IsRejected()
    {
        var error = SingleError("- app: hello\n");

        Assert.Contains("must be a mapping", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseJson_ValidSpec_ParsesLikeYaml()
    {
        const string json = """
            {
            	"app": "hello",
            	"run": { "command": "dotnet out/Hello.dll" },
            	"probes": { "deadline": "30s", "passes": 3 },
            	"env": { "GREETING": "hi\tthere" },
            	"environments": ["test", "prod"]
            }
            """;

        var spec = AppSpecParser.ParseJson(json);

        Assert.Equal("hello", spec.App);
        Assert.Equal(TimeSpan.FromSeconds(30), spec.Probes.Deadline);
        Assert.Equal(3, spec.Probes.Passes);
        Assert.Equal("hi\tthere", spec.Env["GREETING"]);
        Assert.Equal(["test", "prod"], spec.Environments);
    }

    [Fact]
    public void ParseJson_UnknownKey_ReportsLineAndSuggestion()
    {
        var exception = Assert.Throws<SpecException>(() => AppSpecParser.ParseJson("{\n  \"app\": \"hello\",\n  \"run\": { \"command\": \"x\" },\n  \"stopGrace\": \"5s\"\n}", "spec.json"));

        var error = Assert.Single(exception.Errors);
        Assert.Equal("spec.json", error.File);
        Assert.Equal(4, error.Line);
        Assert.Equal("stopGrace", error.Key);
        Assert.Contains("did you mean `stop_grace`?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpecException_Message_ListsEveryProblem()
    {
        var exception = Assert.Throws<SpecException>(() => AppSpecParser.Parse("app: X\nkeep_releases: 0\n", "apps/x.yml"));

        Assert.StartsWith("The app spec has 3 problems:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("apps/x.yml:1:6: app:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("apps/x.yml:2:16: keep_releases:", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValidAppName_PathTraversal_IsFalse()
    {
        Assert.False(AppSpecParser.IsValidAppName(".."));
        Assert.False(AppSpecParser.IsValidAppName("a/../b"));
        Assert.True(AppSpecParser.IsValidAppName("hello-2"));
    }

    [Fact]
    public void ParseFile_Missing_NamesThePathAndWhatToDo()
    {
        var path = Path.Combine(Path.GetTempPath(), "slipway-missing-" + Guid.NewGuid().ToString("N"), "slipway.yml");

        var exception = Assert.Throws<SpecException>(() => AppSpecParser.ParseFile(path));

        var error = Assert.Single(exception.Errors);
        Assert.Equal(path, error.File);
        Assert.Contains("slipway init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_Existing_UsesThePathInErrors()
    {
        var dir = Directory.CreateTempSubdirectory("slipway-spec-");
        try
        {
            var path = Path.Combine(dir.FullName, "slipway.yml");
            File.WriteAllText(path, "app: hello\nrun: { command: x }\nstop_grace: 5\n");

            var exception = Assert.Throws<SpecException>(() => AppSpecParser.ParseFile(path));

            Assert.Equal($"{path}:3:13: stop_grace: ", exception.Errors[0].ToString()[..($"{path}:3:13: stop_grace: ".Length)]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
