using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Services;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Persistence;

/// <summary>
/// Saves the state file after every change of the services or the supervised processes. Bursts of changes
/// (a deploy touches both) are coalesced into one write; a write always captures the latest snapshot.
/// </summary>
internal sealed partial class EdgeStatePersister : IAsyncDisposable
{
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly EdgeStateStore _store;
    private readonly ServiceRegistry _services;
    private readonly ProcessSupervisor _supervisor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public EdgeStatePersister(EdgeStateStore store, ServiceRegistry services, ProcessSupervisor supervisor, TimeProvider time, ILogger logger)
    {
        _store = store;
        _services = services;
        _supervisor = supervisor;
        _time = time;
        _logger = logger;
        _services.Changed += OnChanged;
        _supervisor.Changed += OnChanged;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Writes the current state now (start-up and shutdown use this, so nothing waits on the coalescing window).</summary>
    public async Task SaveNowAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var state = new EdgeState { Services = _services.Export(), Processes = _supervisor.ListForState() };
            await _store.SaveAsync(state, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _services.Changed -= OnChanged;
        _supervisor.Changed -= OnChanged;
        _signal.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
        _writeLock.Dispose();
    }

    private void OnChanged() => _signal.Writer.TryWrite(true);

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        try
        {
            while (await _signal.Reader.WaitToReadAsync(token))
            {
                await Task.Delay(CoalesceWindow, _time, token);
                _signal.Reader.TryRead(out _);
                try
                {
                    await SaveNowAsync(token);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.SaveFailed(_logger, ex, _store.Path);
                    OnChanged();
                    await Task.Delay(RetryDelay, _time, token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Could not save the edge state to {Path}; retrying")]
        public static partial void SaveFailed(ILogger logger, Exception exception, string path);
    }
}
