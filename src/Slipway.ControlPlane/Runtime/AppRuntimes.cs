namespace Slipway.ControlPlane.Runtime;

/// <summary>
/// The runtime of each generation: a new one starts where its spec says (<c>runtime:</c>, see <see cref="For"/>); an
/// existing one is found by its instance id (<see cref="ForInstance"/>), so a generation started before the app
/// switched runtimes is still watched and stopped by the runtime that runs it.
/// </summary>
internal sealed class AppRuntimes(params IReadOnlyList<IAppRuntime> runtimes)
{
    public IReadOnlyList<IAppRuntime> All { get; } = runtimes;

    public IAppRuntime For(RuntimeKind kind) =>
        All.FirstOrDefault(r => r.Kind == kind) ?? throw new InvalidOperationException($"no {kind} runtime is configured");

    /// <summary>An id no runtime claims goes to the process runtime, as every id that was not a container's always did.</summary>
    public IAppRuntime ForInstance(string instanceId) => All.FirstOrDefault(r => r.Owns(instanceId)) ?? For(RuntimeKind.Process);
}
