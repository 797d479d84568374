using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Secrets;

namespace Slipway.Edge.Supervision;

/// <summary>
/// Starts, watches, restarts and stops the app processes the control plane asks for. Each process runs in its
/// own session and process group with its output appended to a log file, so it outlives an edge restart and
/// is re-adopted (by pid and start time) by the next edge.
/// </summary>
public sealed partial class ProcessSupervisor : IAsyncDisposable
{
    private readonly string _logDirectory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ProcessSupervisor> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SupervisedProcess> _processes = new(StringComparer.Ordinal);
    private readonly Lazy<OutputRelayLauncher?> _relay;
    private readonly Lazy<ProcessSecretSealer?> _sealer;
    private bool _shutDown;

    public ProcessSupervisor(string logDirectory, TimeProvider timeProvider, ILogger<ProcessSupervisor> logger)
    {
        _logDirectory = logDirectory;
        _timeProvider = timeProvider;
        _logger = logger;
        _relay = new(() => OutputRelay is { Count: > 0 } command ? new OutputRelayLauncher(command) : null);
        _sealer = new(() => SecretBox is { } box ? new ProcessSecretSealer(box) : null);
    }

    /// <summary>
    /// The command (program and leading arguments) that runs <see cref="Supervision.OutputRelay"/> with two more
    /// arguments, the FIFO and the log file: <c>slipway relay-output</c>. Without it, processes with secrets are refused.
    /// </summary>
    public IReadOnlyList<string>? OutputRelay { get; init; }

    /// <summary>Seals the secrets of processes for the state file. Without it, processes with secrets are refused.</summary>
    public Func<SecretBox>? SecretBox { get; init; }

    /// <summary>Raised after any change worth persisting (start, exit, restart, stop, adopt).</summary>
    public event Action? Changed;

    /// <summary>
    /// Starts a process. Throws <see cref="ArgumentException"/> (naming the field) for an invalid definition and
    /// <see cref="InvalidOperationException"/> if the id is already running. A stopped or exited process with the
    /// same id is replaced.
    /// </summary>
    public ProcessStatus Start(ProcessDefinition definition)
    {
        Validate(definition);
        definition = definition with { SealedSecrets = null };
        string? sealedSecrets = null;
        if (definition.Secrets is { Count: > 0 } secrets)
        {
            if (_relay.Value is null || _sealer.Value is null)
            {
#pragma warning disable CA2208 // the parameter name is the JSON field the control API reports back
                throw new ArgumentException(
                    "This edge cannot keep secrets out of process output and its state file; run it as `slipway edge` or `slipway up`.", "secrets");
#pragma warning restore CA2208
            }

            sealedSecrets = _sealer.Value.Seal(definition.Id, secrets);
        }

        SupervisedProcess process;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_shutDown, this);
            if (_processes.TryGetValue(definition.Id, out var existing) && existing.IsActive)
            {
                throw new InvalidOperationException(
                    $"Process '{definition.Id}' is {WireName.Of(existing.Snapshot().State)}; stop it before starting it again.");
            }

            var logFile = string.IsNullOrEmpty(definition.LogFile)
                ? Path.Combine(_logDirectory, definition.Id + ".log")
                : definition.LogFile;
            process = SupervisedProcess.Start(definition, logFile, _timeProvider, _logger, OnChanged, _relay.Value, sealedSecrets);
            _processes[definition.Id] = process;
        }

        OnChanged();
        return process.Snapshot();
    }

    /// <summary>SIGTERM to the group, wait up to grace (default: the definition's), SIGKILL. Null if unknown.</summary>
    public async Task<ProcessStatus?> StopAsync(string id, TimeSpan? grace, CancellationToken cancellationToken)
    {
        var process = Find(id);
        if (process is null)
        {
            return null;
        }

        await process.StopAsync(grace ?? TimeSpan.FromMilliseconds(process.Definition.StopGraceMs), cancellationToken);
        return process.Snapshot();
    }

    /// <summary>Stops the process (as <see cref="StopAsync"/>) and forgets it. False if unknown.</summary>
    public async Task<bool> RemoveAsync(string id, TimeSpan? grace, CancellationToken cancellationToken)
    {
        var process = Find(id);
        if (process is null)
        {
            return false;
        }

        await process.StopAsync(grace ?? TimeSpan.FromMilliseconds(process.Definition.StopGraceMs), cancellationToken);
        lock (_gate)
        {
            if (_processes.TryGetValue(id, out var current) && ReferenceEquals(current, process))
            {
                _processes.Remove(id);
            }
        }

        OnChanged();
        return true;
    }

    public ProcessStatus? Get(string id) => Find(id)?.Snapshot();

    /// <summary>
    /// The active processes a loopback port was handed to (<see cref="ProcessDefinition.Port"/>): each with its session
    /// while it runs, none while it starts again. Usually one; two while a process that let the port go is still
    /// stopping and a new one was given it. <see cref="PortGuard"/> sends to the port only when one of them serves it.
    /// </summary>
    public IReadOnlyList<PortClaim> ClaimsOf(int port)
    {
        List<PortClaim>? claims = null;
        lock (_gate)
        {
            foreach (var process in _processes.Values)
            {
                if (process.Definition.Port == port && process.Claim() is { } claim)
                {
                    (claims ??= []).Add(claim);
                }
            }
        }

        return claims ?? (IReadOnlyList<PortClaim>)[];
    }

    public IReadOnlyList<ProcessStatus> List() => List(forState: false);

    /// <summary>As <see cref="List()"/>, with each process's secrets sealed into its definition: what the state file keeps.</summary>
    public IReadOnlyList<ProcessStatus> ListForState() => List(forState: true);

    private List<ProcessStatus> List(bool forState)
    {
        lock (_gate)
        {
            return _processes.Values.Select(p => p.Snapshot(forState)).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of the process's log file. Throws <see cref="KeyNotFoundException"/> if unknown.</summary>
    public Task<IReadOnlyList<string>> TailAsync(string id, int lines, CancellationToken cancellationToken)
    {
        var process = Find(id) ?? throw new KeyNotFoundException($"No process '{id}'.");
        return LogTail.ReadLastLinesAsync(process.LogFile, lines, cancellationToken);
    }

    /// <summary>
    /// After an edge restart: re-adopts each persisted process whose pid is alive with the same start time;
    /// one that is gone (or whose pid was reused) is started again if it should be running.
    /// </summary>
    public IReadOnlyList<ProcessStatus> Adopt(IEnumerable<ProcessStatus> persisted)
    {
        var resumeStops = new List<SupervisedProcess>();
        var restored = new List<SupervisedProcess>();
        lock (_gate)
        {
            foreach (var persistedProcess in persisted)
            {
                var saved = WithOpenedSecrets(persistedProcess);
                var (process, resumeStop) = SupervisedProcess.Restore(saved, _timeProvider, _logger, OnChanged, _relay.Value);
                _processes[saved.Id] = process;
                restored.Add(process);
                if (resumeStop)
                {
                    resumeStops.Add(process);
                }
            }
        }

        foreach (var process in resumeStops)
        {
            // The previous edge died while stopping it; finish the job in the background.
            _ = process.StopAsync(TimeSpan.FromMilliseconds(process.Definition.StopGraceMs), CancellationToken.None);
        }

        OnChanged();
        return restored.Select(p => p.Snapshot()).ToList();
    }

    /// <summary>
    /// After an edge upgrade that failed once this supervisor had stopped watching: watch the processes again,
    /// re-adopted by pid and start time as after a restart.
    /// </summary>
    public void Resume()
    {
        List<ProcessStatus> snapshot;
        lock (_gate)
        {
            if (!_shutDown)
            {
                return;
            }

            _shutDown = false;
            snapshot = [.. _processes.Values.Select(p => p.Snapshot())];
        }

        Adopt(snapshot);
    }

    /// <summary>Edge shutdown: stop watching; processes keep running unless <paramref name="stopProcesses"/>.</summary>
    public async Task ShutdownAsync(bool stopProcesses, CancellationToken cancellationToken)
    {
        List<SupervisedProcess> processes;
        lock (_gate)
        {
            _shutDown = true;
            processes = [.. _processes.Values];
        }

        if (stopProcesses)
        {
            await Task.WhenAll(processes.Select(p =>
                p.StopAsync(TimeSpan.FromMilliseconds(p.Definition.StopGraceMs), cancellationToken)));
        }

        await Task.WhenAll(processes.Select(p => p.StopWatchingAsync()));
    }

    public async ValueTask DisposeAsync()
    {
        bool shutDown;
        lock (_gate)
        {
            shutDown = _shutDown;
        }

        if (!shutDown)
        {
            await ShutdownAsync(stopProcesses: false, CancellationToken.None);
        }
    }

    private ProcessStatus WithOpenedSecrets(ProcessStatus saved)
    {
        if (saved.Definition.SealedSecrets is not { } sealedSecrets)
        {
            return saved;
        }

        var secrets = _sealer.Value?.Open(saved.Id, sealedSecrets);
        if (secrets is null)
        {
            // It keeps running if alive; a restart runs without its secrets until the control plane starts it again.
            Log.SecretsUnreadable(_logger, saved.Id);
            return saved with { Definition = saved.Definition with { SealedSecrets = null } };
        }

        return saved with { Definition = saved.Definition with { Secrets = secrets } };
    }

    /// <summary>Service names and process ids: <c>[A-Za-z0-9][A-Za-z0-9._-]{0,99}</c>.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    // The ArgumentException parameter names are the JSON field names the control API reports back.
#pragma warning disable CA2208
    private static void Validate(ProcessDefinition definition)
    {
        if (!IsValidId(definition.Id))
        {
            throw new ArgumentException(
                "A process id is 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit.", "id");
        }

        if (string.IsNullOrWhiteSpace(definition.Command))
        {
            throw new ArgumentException("A process needs a command to run.", "command");
        }

        if (!Path.IsPathFullyQualified(definition.WorkingDirectory) || !Directory.Exists(definition.WorkingDirectory))
        {
            throw new ArgumentException("The working directory must be an absolute path to an existing directory.", "workingDirectory");
        }

        if (definition.LogFile is { Length: > 0 } logFile && !Path.IsPathFullyQualified(logFile))
        {
            throw new ArgumentException("The log file must be an absolute path.", "logFile");
        }

        if (definition.StopGraceMs < 0)
        {
            throw new ArgumentException("The stop grace period cannot be negative.", "stopGraceMs");
        }

        if (definition.Secrets?.Keys.FirstOrDefault(k => !EnvironmentNamePattern().IsMatch(k)) is { } badName)
        {
            throw new ArgumentException($"Secret '{badName}' is not an environment variable name: use letters, digits and '_', not starting with a digit.", "secrets");
        }

        if (definition.Port is < 1 or > 65535)
        {
            throw new ArgumentException("The port must be between 1 and 65535.", "port");
        }
    }
#pragma warning restore CA2208

    private SupervisedProcess? Find(string id)
    {
        lock (_gate)
        {
            return _processes.GetValueOrDefault(id);
        }
    }

    private void OnChanged() => Changed?.Invoke();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentNamePattern();

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "The saved secrets of process {Id} do not open with this master key; a restart of it runs without them")]
        public static partial void SecretsUnreadable(ILogger logger, string id);
    }
}
