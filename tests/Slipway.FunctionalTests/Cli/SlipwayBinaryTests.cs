using System.Diagnostics;

namespace Slipway.FunctionalTests.Cli;

/// <summary>The real <c>slipway</c> binary, run as a child process the way users and scripts run it.</summary>
public sealed class SlipwayBinaryTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("slipway-bin-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<CliRun> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "slipway.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("SLIPWAY_TOKEN");
        start.Environment.Remove("SLIPWAY_URL");
        start.Environment["SLIPWAY_HOME"] = Path.Combine(_dir, ".slipway");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Help_ListsClientCommands()
    {
        var run = await RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "init", "apps", "deploy", "status", "releases", "rollback", "cancel", "logs", "tokens", "doctor", "version" })
        {
            Assert.Contains($"  {command}", run.Stdout);
        }
    }

    [Fact]
    public async Task DeployHelp_ExplainsExitCodesAndOptions()
    {
        var run = await RunAsync("deploy", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("exits 0 only when it succeeded", run.Stdout);
        Assert.Contains("--from", run.Stdout);
        Assert.Contains("--detach", run.Stdout);
    }

    [Fact]
    public async Task Deploy_DeadUrl_ExitsThreeWithMessage()
    {
        var url = await AdminClientTests.DeadUrlAsync();

        var run = await RunAsync("deploy", "hello", "--url", url.ToString());

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"cannot reach Slipway at {url.ToString().TrimEnd('/')}: is `slipway up` running? set SLIPWAY_URL", run.Stderr);
    }

    [Fact]
    public async Task Version_DeadUrl_PrintsCliVersionAndExitsThree()
    {
        var url = await AdminClientTests.DeadUrlAsync();

        var run = await RunAsync("version", "--url", url.ToString());

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("cli:", run.Stdout);
        Assert.Contains("cannot reach Slipway", run.Stderr);
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("deploy", "hello", "--no-such-option")]
    [InlineData("no-such-command")]
    [InlineData("logs", "hello", "--lines", "0")]
    public async Task BadUsage_ExitsTwo(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.NotEmpty(run.Stderr);
    }

    [Fact]
    public async Task Init_WritesSpecInWorkingDirectory()
    {
        File.WriteAllText(Path.Combine(_dir, "package.json"), "{}");

        var run = await RunAsync("init");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("npm start", File.ReadAllText(Path.Combine(_dir, "slipway.yml")));
        Assert.Equal(2, (await RunAsync("init")).ExitCode);
    }
}
