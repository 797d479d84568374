using Slipway.ControlPlane.Spec;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>How an app's environment appears in the edge: its service name and definition.</summary>
internal static class ServiceNames
{
    public static string For(string app, string env) => $"{app}.{env}";

    /// <summary>The edge service of (app, <paramref name="env"/>): that environment's routes (<see cref="AppSpec.RoutesFor"/>) and health check.</summary>
    public static ServiceDefinition Definition(AppSpec spec, string env) => new()
    {
        Routes = spec.RoutesFor(env).Select(r => new RouteDefinition
        {
            Host = r.Host,
            Path = r.Path,
            Tls = r.Tls,
            RedirectHttp = r.RedirectHttp,
            HstsMaxAgeSeconds = r.HstsMaxAge is { } age ? (int)Math.Min(age.TotalSeconds, int.MaxValue) : null,
            HstsIncludeSubdomains = r.HstsIncludeSubdomains,
        }).ToList(),
        Protocol = spec.Protocol,
        Health = new HealthCheckDefinition
        {
            Kind = spec.Probes.Kind,
            GrpcService = spec.Probes.GrpcService,
            Path = spec.Probes.Health,
            IntervalMs = Milliseconds(spec.Probes.Interval),
            TimeoutMs = Milliseconds(spec.Probes.Timeout),
            HealthyThreshold = spec.Probes.Passes,
            UnhealthyThreshold = 3,
        },
    };

    public static int Milliseconds(TimeSpan span) => (int)Math.Clamp(span.TotalMilliseconds, 1, int.MaxValue);
}
