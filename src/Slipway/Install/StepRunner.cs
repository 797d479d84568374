using Slipway.Cli;

namespace Slipway.Install;

/// <summary>Runs (or, for a dry run, only shows) install steps in order; each says whether it was already so.</summary>
internal static class StepRunner
{
    public static async Task RunAsync(IReadOnlyList<InstallStep> steps, bool dryRun, Output output)
    {
        foreach (var step in steps)
        {
            if (await step.IsDone())
            {
                output.Line($"  unchanged  {step.Description}");
            }
            else if (dryRun)
            {
                output.Line($"  would do   {step.Description}");
            }
            else
            {
                var shown = await step.Apply();
                output.Line($"  done       {step.Description}");
                if (shown is not null)
                {
                    output.Line($"             {shown}");
                }
            }
        }
    }
}
