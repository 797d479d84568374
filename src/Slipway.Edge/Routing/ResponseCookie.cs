namespace Slipway.Edge.Routing;

/// <summary>A cookie the edge sets on the response to keep a client on its canary side or target.</summary>
internal sealed record ResponseCookie(string Name, string Value);
