using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Runtime;

/// <summary><c>runtime: process</c>: the generation is a child of the edge's supervisor, which restarts it with backoff.</summary>
internal sealed class ProcessRuntime(IEdgeGateway edge) : IAppRuntime
{
    public async Task<string> StartAsync(RuntimeStart start, CancellationToken cancellationToken)
    {
        if (start.Spec.Run?.Command is null)
        {
            throw new DeployFailedException("start", "the app has no run command: add `run: { command: ... }` to slipway.yml", null);
        }

        var id = Candidate.ProcessIdFor(start.Spec.App, start.Env, (int)start.Generation);
        try
        {
            await edge.StartProcessAsync(Definition(start, id), cancellationToken);
        }
        catch (EdgeUnavailableException e)
        {
            throw new DeployFailedException("start", $"the edge could not start the candidate: {e.Message}", null, e);
        }

        return id;
    }

    public static ProcessDefinition Definition(RuntimeStart start, string id) => new()
    {
        Id = id,
        Command = start.Spec.Run?.Command ?? "",
        WorkingDirectory = start.Release.Path,
        Environment = start.Environment,
        // The edge injects these, persists them only sealed and masks them in the process's log file.
        Secrets = start.Secrets.Count > 0 ? start.Secrets : null,
        Port = start.Port,
        StopGraceMs = ServiceNames.Milliseconds(start.Spec.StopGrace),
        Restart = true,
        // The control plane deploying itself: the candidate is Slipway and needs Slipway's configuration.
        SlipwayOwn = start.Spec.App == SelfDeploy.SelfApp.Name,
    };

    public async Task<InstanceState?> GetStateAsync(string instanceId, CancellationToken cancellationToken) =>
        await edge.GetProcessAsync(instanceId, cancellationToken) is { } process
            ? new InstanceState { State = process.State, Restarts = process.Restarts, LastExitCode = process.LastExitCode }
            : null;

    public Task<string> TailAsync(string instanceId, int lines, CancellationToken cancellationToken) =>
        edge.TailProcessAsync(instanceId, lines, cancellationToken);

    public Task StopAsync(string instanceId, TimeSpan grace, CancellationToken cancellationToken) =>
        edge.StopProcessAsync(instanceId, grace, cancellationToken);
}
