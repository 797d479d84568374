using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Services;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// PLACEHOLDER so the host compiles before the data plane (branch <c>edge</c>) is merged; the merge replaces this file.
/// </summary>
public sealed class EdgeProxy
{
    public EdgeProxy(ServiceRegistry services, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _ = services;
        _ = timeProvider;
        _ = loggerFactory;
    }

    public Task HandleAsync(HttpContext context, string? serviceOverride = null)
    {
        _ = serviceOverride;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return Task.CompletedTask;
    }
}
