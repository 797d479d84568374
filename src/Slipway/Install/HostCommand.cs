using System.Diagnostics;

namespace Slipway.Install;

/// <summary>Runs a host tool (systemctl, systemd-sysusers, userdel) and fails with its own words when it fails.</summary>
internal static class HostCommand
{
    public static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var (code, output) = await TryRunAsync(program, arguments);
        if (code != 0)
        {
            throw new InstallException($"`{program} {string.Join(' ', arguments)}` failed (exit {code}): {output.Trim()}");
        }
    }

    public static async Task<(int ExitCode, string Output)> TryRunAsync(string program, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InstallException($"`{program}` is not available on this host ({e.Message}); Slipway's installer needs systemd's tools.");
        }
    }
}
