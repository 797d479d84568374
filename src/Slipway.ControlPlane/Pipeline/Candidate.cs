namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// A generation started for a deployment: where it listens and which process (or container) runs it. Validation also
/// checks it runs <see cref="ImageId"/> when there is one, and started no earlier than <see cref="StartedAfter"/> when
/// its runtime reports a start time.
/// </summary>
internal sealed record Candidate(string App, string Env, int Generation, string ProcessId, int Port, string ReleaseId,
    string? ImageId = null, DateTimeOffset? StartedAfter = null)
{
    /// <summary>Instances that must all pass validation: a swarm service's <c>replicas</c>, else 1.</summary>
    public int Replicas { get; init; } = 1;

    public string Url => $"http://127.0.0.1:{Port}";

    public static string ProcessIdFor(string app, string env, int generation) => $"{app}-{env}-g{generation}";
}
