using Slipway.Cli;

namespace Slipway.FunctionalTests.Cli;

public sealed class InitCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("slipway-init-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Project(string name, params (string File, string Text)[] files)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        foreach (var (file, text) in files)
        {
            File.WriteAllText(Path.Combine(dir, file), text);
        }

        return dir;
    }

    private static async Task<(CliRun Run, string Yaml)> InitAsync(string dir, params string[] extra)
    {
        var run = await CliRun.RunAsync(["init", dir, .. extra]);
        var path = Path.Combine(dir, "slipway.yml");
        return (run, File.Exists(path) ? File.ReadAllText(path) : "");
    }

    [Fact]
    public async Task Init_DotNetProject_PublishesAndRunsTheAssembly()
    {
        var dir = Project("My_Shop.Api", ("Shop.Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><AssemblyName>ShopApi</AssemblyName></PropertyGroup></Project>"));

        var (run, yaml) = await InitAsync(dir);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("app: my-shop-api ", yaml);
        Assert.Contains("run: dotnet publish Shop.Api.csproj -c Release -o out", yaml);
        Assert.Contains("run: { command: dotnet out/ShopApi.dll }", yaml);
        Assert.Contains("runtime: process", yaml);
        Assert.Contains(".NET", run.Stdout);
    }

    [Fact]
    public async Task Init_NodeProjectWithBuildScript_InstallsBuildsAndStarts()
    {
        var dir = Project("web", ("package.json", """{ "name": "web", "scripts": { "build": "tsc", "start": "node dist/index.js" } }"""));

        var (run, yaml) = await InitAsync(dir);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("run: npm ci", yaml);
        Assert.Contains("run: npm run build", yaml);
        Assert.Contains("run: { command: npm start }", yaml);
    }

    [Fact]
    public async Task Init_PythonProject_CreatesVenvAndRunsEntryPoint()
    {
        var dir = Project("api", ("requirements.txt", "flask\n"), ("main.py", "print('hi')\n"));

        var (run, yaml) = await InitAsync(dir);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(".venv/bin/pip install -r requirements.txt", yaml);
        Assert.Contains("run: { command: .venv/bin/python main.py }", yaml);
    }

    [Fact]
    public async Task Init_DockerfileOnly_UsesDockerRuntimeWithExposedPort()
    {
        var dir = Project("svc", ("Dockerfile", "FROM nginx\nEXPOSE 8081\n"));

        var (run, yaml) = await InitAsync(dir);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("runtime: docker", yaml);
        Assert.Contains("docker: { dockerfile: Dockerfile, port: 8081 }", yaml);
    }

    [Fact]
    public async Task Init_EmptyDirectory_WritesTemplateToFillIn()
    {
        var dir = Project("9lives");

        var (run, yaml) = await InitAsync(dir);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("app: lives ", yaml);
        Assert.Contains("fill in", run.Stdout);
    }

    [Fact]
    public async Task Init_ExistingSpec_RefusesWithExitTwoAndKeepsFile()
    {
        var dir = Project("keep", ("slipway.yml", "app: mine\n"), ("package.json", "{}"));

        var (run, yaml) = await InitAsync(dir);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("app: mine\n", yaml);
        Assert.Contains("--force", run.Stderr);
    }

    [Fact]
    public async Task Init_ExistingSpecWithForce_Overwrites()
    {
        var dir = Project("keep", ("slipway.yml", "app: mine\n"), ("package.json", "{}"));

        var (run, yaml) = await InitAsync(dir, "--force");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("run: { command: npm start }", yaml);
    }

    [Theory]
    [InlineData("hello", "hello")]
    [InlineData("Hello World", "hello-world")]
    [InlineData("__my..app__", "my-app")]
    [InlineData("2048-game", "game")]
    [InlineData("日本", "app")]
    [InlineData("a-very-long-directory-name-that-goes-on-and-on-forever", "a-very-long-directory-name-that-goes-on")]
    public void FromDirectory_AnyName_GivesValidAppName(string directory, string expected)
    {
        var name = AppName.FromDirectory(directory);

        Assert.Equal(expected, name);
        Assert.Matches("^[a-z][a-z0-9-]{0,39}$", name);
    }
}
