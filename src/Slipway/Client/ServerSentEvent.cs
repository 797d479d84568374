namespace Slipway.Client;

/// <summary>One dispatched server-sent event: its <c>id:</c>, <c>event:</c> (default <c>message</c>) and joined <c>data:</c> lines.</summary>
internal sealed record ServerSentEvent(string? Id, string Event, string Data);
