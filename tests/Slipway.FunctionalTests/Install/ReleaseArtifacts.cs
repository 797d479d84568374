using System.Diagnostics;
using Slipway.FunctionalTests.Cli;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Install;

/// <summary>
/// What <c>build/release.sh --rid linux-x64</c> produces, built once per test run (the single-file publish takes
/// minutes on a busy machine): the self-contained binary and the dotnet tool package, in a temporary folder.
/// </summary>
public sealed class ReleaseArtifacts : IAsyncLifetime
{
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(25);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("slipway-release-").FullName;

    public string Version { get; } = "0.9.0-test." + Environment.ProcessId;

    public string Binary => Path.Combine(Directory, $"slipway-{Version}-linux-x64");

    public string Package => Path.Combine(Directory, $"slipway.{Version}.nupkg");

    /// <summary>The script's own report (revision and digest lines).</summary>
    public string BuildOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var run = await RunAsync("bash", [Path.Combine(RepoPaths.Root, "build", "release.sh"), "--rid", "linux-x64", "--version", Version, "--out", Directory],
            RepoPaths.Root, null, BuildDeadline);
        if (run.ExitCode != 0 || !File.Exists(Binary) || !File.Exists(Package))
        {
            throw new InvalidOperationException($"build/release.sh failed: {run}");
        }

        BuildOutput = run.Stdout;
    }

    /// <summary>Runs a program to its end with captured output; <paramref name="environment"/> entries with a null value are removed.</summary>
    internal static async Task<CliRun> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment, TimeSpan deadline)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not exit within {deadline}.");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}
