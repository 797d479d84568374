using System.Diagnostics;
using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Persistence;

namespace Slipway.ControlPlane.Reliability;

/// <summary>
/// Crash points for the kill -9 suite (docs/reliability.md). Always compiled in and inert unless armed:
/// <c>SLIPWAY_FAULT=before:activate</c> (comma-separated points allowed) kills the control plane with SIGKILL
/// when it reaches that point. <c>SLIPWAY_FAULT_ONCE_FILE=PATH</c> makes an armed fault fire only while PATH
/// does not exist (it is created first), so a supervised control plane restarted with the same environment
/// does not crash again. <c>SLIPWAY_FAULT_FILE=PATH</c> arms from a file instead, read at every point and
/// deleted when it fires, so a test can arm one crash at a time against a long-running instance.
/// </summary>
internal static class FaultInjection
{
    public const string Variable = "SLIPWAY_FAULT";
    public const string OnceFileVariable = "SLIPWAY_FAULT_ONCE_FILE";
    public const string FileVariable = "SLIPWAY_FAULT_FILE";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);
    private static readonly string? OnceFile = Environment.GetEnvironmentVariable(OnceFileVariable);
    private static readonly string? ArmFile = Environment.GetEnvironmentVariable(FileVariable);

    /// <summary>The point names a deployment passes, in order: <c>before:PHASE</c> and <c>after:PHASE</c>.</summary>
    public static IReadOnlyList<string> PhasePoints { get; } =
        new[] { DeploymentPhase.Source, DeploymentPhase.Build, DeploymentPhase.Release, DeploymentPhase.Start, DeploymentPhase.Validate, DeploymentPhase.Activate, DeploymentPhase.Drain }
            .SelectMany(p => new[] { "before:" + p.Name, "after:" + p.Name }).ToArray();

    public static void Before(DeploymentPhase phase) => At("before:" + phase.Name);

    public static void After(DeploymentPhase phase) => At("after:" + phase.Name);

    /// <summary>Dies here, without any clean-up, when <paramref name="point"/> is armed.</summary>
    public static void At(string point)
    {
        if (Armed is null && ArmFile is null)
        {
            return;
        }

        if (Armed is not null && Matches(Armed, point) && (OnceFile is null || ClaimOnce(OnceFile)))
        {
            Die(point);
        }

        if (ArmFile is not null && File.Exists(ArmFile) && Matches(SafeRead(ArmFile), point))
        {
            File.Delete(ArmFile);
            AtomicFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(ArmFile))!);
            Die(point);
        }
    }

    private static bool Matches(string spec, string point) =>
        spec.Split([',', '\n', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Contains(point, StringComparer.OrdinalIgnoreCase);

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool ClaimOnce(string path)
    {
        try
        {
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
            }

            AtomicFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Die(string point)
    {
        Console.Error.WriteLine($"slipway: fault injected at {point}: killing the control plane (SIGKILL)");
        Console.Error.Flush();
        Posix.SignalProcess(Environment.ProcessId, Posix.SigKill);
        // SIGKILL to self does not return; should it ever, still never run past the point.
        Process.GetCurrentProcess().Kill();
    }
}
