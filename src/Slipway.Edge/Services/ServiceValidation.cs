using System.Text.RegularExpressions;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Health;
using Slipway.Edge.LoadBalancing;

namespace Slipway.Edge.Services;

/// <summary>
/// Checks names, definitions and target sets before they reach the route table. Errors are
/// <see cref="ArgumentException"/>s whose parameter name is the request field at fault.
/// </summary>
internal static partial class ServiceValidation
{
    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw Invalid(
                $"Service name '{name}' is invalid: use letters, digits, '.', '_' and '-' (up to 100, starting with a letter or digit).", "name");
        }
    }

    public static void Validate(ServiceDefinition definition)
    {
        for (var i = 0; i < definition.Routes.Count; i++)
        {
            var route = definition.Routes[i];
            var host = route.Host?.Trim() ?? "";
            if (host.Length == 0 || !(host == "*" || HostPattern().IsMatch(host)))
            {
                throw Invalid(
                    $"Route host '{route.Host}' is invalid: use an exact host (app.example.com), a wildcard (*.example.com) or '*'.", $"routes[{i}].host");
            }

            if (string.IsNullOrEmpty(route.Path) || !route.Path.StartsWith('/'))
            {
                throw Invalid($"Route path '{route.Path}' is invalid: it must start with '/'.", $"routes[{i}].path");
            }

            if (route.Tls is not ("off" or "files" or "auto"))
            {
                throw Invalid($"Route tls '{route.Tls}' is invalid: use 'auto', 'files' or 'off'.", $"routes[{i}].tls");
            }

            if (route.Tls == "auto" && (host.StartsWith('*') || Tls.TlsPolicyTable.IsLocal(host)))
            {
                throw Invalid($"Route tls 'auto' cannot get a certificate for '{host}' (ACME issues no wildcards or local names); use 'files' or 'off'.", $"routes[{i}].tls");
            }

            if (route.HstsMaxAgeSeconds is < 0)
            {
                throw Invalid("hstsMaxAgeSeconds must be 0 or more.", $"routes[{i}].hstsMaxAgeSeconds");
            }
        }

        if (!TargetPicker.IsValid(definition.LoadBalancing))
        {
            throw Invalid(
                $"loadBalancing '{definition.LoadBalancing}' is not supported; use 'round-robin' or 'least-in-flight'.", "loadBalancing");
        }

        Positive(definition.MaxRequestBodyBytes, "maxRequestBodyBytes");
        Positive(definition.ResponseHeadersTimeoutMs, "responseHeadersTimeoutMs");
        Positive(definition.PauseTimeoutMs, "pauseTimeoutMs");
        if (definition.PauseQueueLimit < 0)
        {
            throw Invalid("pauseQueueLimit must be 0 or more.", "pauseQueueLimit");
        }

        if (!BackendProtocol.IsValid(definition.Protocol))
        {
            throw Invalid($"protocol '{definition.Protocol}' is not supported; use 'http1' or 'h2c' (HTTP/2 with prior knowledge, for gRPC apps).", "protocol");
        }

        var health = definition.Health ?? throw Invalid("health is required.", "health");
        if (!HealthCheckKind.IsValid(health.Kind))
        {
            throw Invalid($"health.kind '{health.Kind}' is not supported; use 'http' (GET health.path) or 'grpc' (grpc.health.v1.Health/Check).", "health.kind");
        }

        if (health.Kind == HealthCheckKind.Http && (string.IsNullOrEmpty(health.Path) || !health.Path.StartsWith('/')))
        {
            throw Invalid($"Health path '{health.Path}' is invalid: it must start with '/'.", "health.path");
        }

        Positive(health.IntervalMs, "health.intervalMs");
        Positive(health.TimeoutMs, "health.timeoutMs");
        Positive(health.HealthyThreshold, "health.healthyThreshold");
        Positive(health.UnhealthyThreshold, "health.unhealthyThreshold");
    }

    public static void Validate(SetTargetsRequest request)
    {
        ValidateTargets(request.Targets, "targets");
        Positive(request.DeployTimeoutMs, "deployTimeoutMs");
        if (request.RequiredPasses is { } passes)
        {
            Positive(passes, "requiredPasses");
        }

        if (request.DrainTimeoutMs < 0)
        {
            throw Invalid("drainTimeoutMs must be 0 or more.", "drainTimeoutMs");
        }

        if (request.Canary is { } canary)
        {
            ValidateTargets(canary.Targets, "canary.targets");
            if (canary.Weight is < 0 or > 100)
            {
                throw Invalid("canary.weight must be between 0 and 100.", "canary.weight");
            }

            if (string.IsNullOrWhiteSpace(canary.Cookie))
            {
                throw Invalid("canary.cookie must name a cookie.", "canary.cookie");
            }

            var overlap = canary.Targets.Select(IdOf).Intersect(request.Targets.Select(IdOf), StringComparer.Ordinal).FirstOrDefault();
            if (overlap is not null)
            {
                throw Invalid($"Target '{overlap}' is both a target and a canary target.", "canary.targets");
            }
        }
    }

    public static string IdOf(TargetDefinition target) =>
        string.IsNullOrWhiteSpace(target.Id) ? target.Url.Trim().TrimEnd('/') : target.Id.Trim();

    public static Uri ParseUrl(TargetDefinition target, string field)
    {
        if (!Uri.TryCreate(target.Url?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid($"Target URL '{target.Url}' is invalid: give an absolute http:// or https:// URL such as http://127.0.0.1:20001.", field);
        }

        return uri;
    }

    private static void ValidateTargets(IReadOnlyList<TargetDefinition> targets, string field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            ParseUrl(targets[i], $"{field}[{i}].url");
            if (!seen.Add(IdOf(targets[i])))
            {
                throw Invalid($"Target id '{IdOf(targets[i])}' appears twice.", $"{field}[{i}].id");
            }
        }
    }

    private static void Positive(long value, string field)
    {
        if (value <= 0)
        {
            throw Invalid($"{field} must be greater than 0.", field);
        }
    }

    /// <summary>The parameter name carries the request field at fault, which the control API reports.</summary>
    public static ArgumentException Invalid(string message, string field) => new(message, field);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")]
    private static partial Regex HostPattern();
}
