namespace Slipway.Edge.Health;

/// <summary>How a target's health is checked (<c>health.kind</c> in the service definition).</summary>
public static class HealthCheckKind
{
    /// <summary>GET the health path; 2xx passes.</summary>
    public const string Http = "http";

    /// <summary>The standard gRPC health service, <c>grpc.health.v1.Health/Check</c>; SERVING passes.</summary>
    public const string Grpc = "grpc";

    public static bool IsValid(string? kind) => kind is Http or Grpc;
}
