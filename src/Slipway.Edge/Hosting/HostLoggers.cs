using Microsoft.Extensions.Logging;

namespace Slipway.Edge.Hosting;

/// <summary>
/// Hands a service provider's loggers on to the host's logger factory, so a container the edge builds
/// (ASP.NET Core's, YARP's) can filter categories of its own without owning the host's factory.
/// </summary>
internal sealed class HostLoggers(ILoggerFactory host) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => host.CreateLogger(categoryName);

    public void Dispose()
    {
        // The host owns its logger factory.
    }
}
