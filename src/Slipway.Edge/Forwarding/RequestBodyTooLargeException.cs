namespace Slipway.Edge.Forwarding;

internal sealed class RequestBodyTooLargeException(long limit)
    : IOException($"The request body is larger than the service's limit of {limit} bytes.");
