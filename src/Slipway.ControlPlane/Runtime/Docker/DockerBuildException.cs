namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>An image build failed; <see cref="LastLines"/> are the last lines of build output before the failure.</summary>
internal sealed class DockerBuildException(string message, IReadOnlyList<string> lastLines) : Exception(message)
{
    public IReadOnlyList<string> LastLines { get; } = lastLines;
}
