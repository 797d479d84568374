using System.Collections.Immutable;
using Slipway.Edge.Routing;

namespace Slipway.Edge.Services;

/// <summary>A request counted in on a target; disposing it counts the request out.</summary>
internal sealed class TargetLease(Target target, ImmutableArray<ResponseCookie> cookies) : IDisposable
{
    private int _disposed;

    public Target Target { get; } = target;

    public ImmutableArray<ResponseCookie> Cookies { get; } = cookies;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Target.Exit();
        }
    }
}
