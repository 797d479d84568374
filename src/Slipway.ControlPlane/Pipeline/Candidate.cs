namespace Slipway.ControlPlane.Pipeline;

/// <summary>A generation started for a deployment: where it listens and which process runs it.</summary>
internal sealed record Candidate(string App, string Env, int Generation, string ProcessId, int Port, string ReleaseId)
{
    public string Url => $"http://127.0.0.1:{Port}";

    public static string ProcessIdFor(string app, string env, int generation) => $"{app}-{env}-g{generation}";
}
