namespace Slipway.Edge.Control.Contracts;

/// <summary>
/// What the control plane tells the edge about a service: how to route to it and how to treat its targets.
/// Sent as the body of <c>PUT /services/{name}</c>. Every field has a default so a minimal body is valid.
/// </summary>
public sealed record ServiceDefinition
{
    public IReadOnlyList<RouteDefinition> Routes { get; init; } = [];

    /// <summary><c>round-robin</c> or <c>least-in-flight</c>.</summary>
    public string LoadBalancing { get; init; } = "round-robin";

    public long MaxRequestBodyBytes { get; init; } = 100L * 1024 * 1024;

    public int ResponseHeadersTimeoutMs { get; init; } = 30_000;

    public HealthCheckDefinition Health { get; init; } = new();

    /// <summary>Cookie name for session affinity; null disables affinity.</summary>
    public string? AffinityCookie { get; init; }

    /// <summary>How long a paused service holds new requests before answering 503.</summary>
    public int PauseTimeoutMs { get; init; } = 30_000;

    /// <summary>How many requests a paused service holds at most; the next one is answered 503 at once.</summary>
    public int PauseQueueLimit { get; init; } = 1_000;

    /// <summary>
    /// How the edge talks to the targets: <c>http1</c> (HTTP/1.1) or <c>h2c</c> (HTTP/2 with prior knowledge on
    /// cleartext, as gRPC apps need). Clients may use either towards the edge.
    /// </summary>
    public string Protocol { get; init; } = "http1";
}

public sealed record RouteDefinition
{
    /// <summary>Exact host (<c>app.example.com</c>), wildcard (<c>*.example.com</c>) or <c>*</c> for any host.</summary>
    public string Host { get; init; } = "*";

    public string Path { get; init; } = "/";

    /// <summary>
    /// <c>off</c>, <c>files</c> (a certificate added by <c>slipway certs add</c>) or <c>auto</c> (ACME). <c>off</c>
    /// when absent, so definitions from before HTTPS keep their meaning.
    /// </summary>
    public string Tls { get; init; } = "off";

    /// <summary>With TLS on and a certificate served for the host: plain HTTP gets a 301 to https (not the ACME challenge path).</summary>
    public bool RedirectHttp { get; init; } = true;

    /// <summary><c>Strict-Transport-Security</c> max-age sent on HTTPS answers; null sends none.</summary>
    public int? HstsMaxAgeSeconds { get; init; }

    public bool HstsIncludeSubdomains { get; init; }
}

public sealed record HealthCheckDefinition
{
    /// <summary><c>http</c>: GET <see cref="Path"/> answers 2xx; <c>grpc</c>: <c>grpc.health.v1.Health/Check</c> answers SERVING.</summary>
    public string Kind { get; init; } = "http";

    public string Path { get; init; } = "/healthz";

    /// <summary>The service name a <c>grpc</c> check asks about; empty means the server as a whole.</summary>
    public string GrpcService { get; init; } = "";

    public int IntervalMs { get; init; } = 1_000;

    public int TimeoutMs { get; init; } = 5_000;

    /// <summary>Consecutive passes that make an unhealthy or new target healthy.</summary>
    public int HealthyThreshold { get; init; } = 2;

    /// <summary>Consecutive failures (active or passive) that make a healthy target unhealthy.</summary>
    public int UnhealthyThreshold { get; init; } = 3;
}
