using System.Diagnostics;

namespace Slipway.ControlPlane.Tests.Pipeline.Source;

/// <summary>Runs the real git CLI against a test repository.</summary>
internal static class GitFixture
{
    public static string Run(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", .. args])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {stderr}");
        }

        return stdout.Trim();
    }

    public static void Init(string directory) => Run(directory, "init", "-q");

    public static string CommitAll(string directory, string message = "commit")
    {
        Run(directory, "add", "-A");
        Run(directory, "commit", "-q", "-m", message);
        return Run(directory, "rev-parse", "HEAD");
    }
}
