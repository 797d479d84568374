using System.Collections.Immutable;
using Slipway.Edge.Services;

namespace Slipway.Edge.Routing;

internal readonly record struct TargetSelection(Target? Target, ImmutableArray<ResponseCookie> Cookies, bool Canary)
{
    public static readonly TargetSelection None = new(null, [], false);
}
