using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Persistence;
using Slipway.Edge.Secrets;
using Slipway.Edge.Supervision;
using Slipway.Edge.Tests.Forwarding;

namespace Slipway.Edge.Tests.Supervision;

/// <summary>
/// Processes with secrets: injected, never answered, persisted only sealed, output masked on its way to the log file.
/// The relay here is a stand-in (sed) for <c>slipway relay-output</c>, which these tests cannot start; the real one
/// runs in the functional tests.
/// </summary>
public sealed class ProcessSupervisorSecretsTests : IAsyncLifetime
{
    private const string Value = "tok-abc123xyz";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private static readonly IReadOnlyList<string> StandInRelay =
        ["/bin/sh", "-c", "cat >/dev/null; exec sed -u 's/tok-[a-z0-9]*/***/g' <\"$0\" >>\"$1\""];

    private readonly SupervisorCleanup _cleanup = new("slipway-sup-secrets-");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _cleanup.DisposeAsync().AsTask();

    [Fact]
    public void Start_SecretsOnAnEdgeWithoutRelay_IsRefusedNamingTheField()
    {
        var supervisor = new ProcessSupervisor(Path.Combine(_cleanup.Directory, "logs"), TimeProvider.System, NullLogger<ProcessSupervisor>.Instance);
        _cleanup.Track(supervisor);

        var e = Assert.Throws<ArgumentException>(() => supervisor.Start(Definition("web")));

        Assert.Equal("secrets", e.ParamName);
        Assert.Empty(supervisor.List());
    }

    [Fact]
    public async Task Start_WithSecrets_InjectedButNeverAnsweredPersistedOnlySealedAndMaskedInTheLog()
    {
        var supervisor = NewSupervisor();

        var status = Track(supervisor.Start(Definition("web")));

        await Poll.UntilAsync(() => ReadLog(status).Contains("len=", StringComparison.Ordinal), Deadline, "the process's output");
        Assert.Equal($"token=*** len={Value.Length}\n", ReadLog(status));
        Assert.Null(status.Definition.Secrets);
        Assert.All(supervisor.List(), p => Assert.True(p.Definition.Secrets is null && p.Definition.SealedSecrets is null));
        var persisted = Assert.Single(supervisor.ListForState());
        Assert.NotNull(persisted.Definition.SealedSecrets);
        var statePath = Path.Combine(_cleanup.Directory, "edge", "state.json");
        await new EdgeStateStore(statePath).SaveAsync(new EdgeState { Processes = supervisor.ListForState() }, CancellationToken.None);
        Assert.True(File.ReadAllBytes(statePath).AsSpan().IndexOf(Encoding.UTF8.GetBytes(Value)) < 0);
        Assert.Contains("sealedSecrets", await File.ReadAllTextAsync(statePath));
    }

    [Fact]
    public async Task Adopt_SealedSecrets_ARestartAfterTheEdgeRestartedGetsThemAgain()
    {
        var first = NewSupervisor();
        var started = Track(first.Start(Definition("web")));
        await Poll.UntilAsync(() => ReadLog(started).Contains("len=", StringComparison.Ordinal), Deadline, "the first run's output");
        await first.ShutdownAsync(stopProcesses: false, CancellationToken.None);
        var statePath = Path.Combine(_cleanup.Directory, "edge", "state.json");
        var store = new EdgeStateStore(statePath);
        await store.SaveAsync(new EdgeState { Processes = first.ListForState() }, CancellationToken.None);

        var second = NewSupervisor();
        Assert.True(Assert.Single(second.Adopt(store.Load().Processes)).Adopted);
        ProcessSignals.SignalGroup(started.Pid!.Value, ProcessSignals.SigKill);

        await Poll.UntilAsync(() => second.Get("web") is { State: ProcessState.Running, Restarts: 1 }, Deadline, "a restart");
        Track(second.Get("web")!);
        var expected = $"token=*** len={Value.Length}\n";
        await Poll.UntilAsync(() => ReadLog(started) == expected + expected, Deadline, "the second run's output, with the secret");
    }

    private static ProcessDefinition Definition(string id) => new()
    {
        Id = id,
        Command = "echo \"token=$API_TOKEN len=${#API_TOKEN}\"; exec sleep 300",
        WorkingDirectory = Path.GetTempPath(),
        Secrets = new Dictionary<string, string> { ["API_TOKEN"] = Value },
        StopGraceMs = 1000,
    };

    private ProcessSupervisor NewSupervisor()
    {
        var supervisor = new ProcessSupervisor(Path.Combine(_cleanup.Directory, "logs"), TimeProvider.System, NullLogger<ProcessSupervisor>.Instance)
        {
            OutputRelay = StandInRelay,
            SecretBox = () => new SecretBox(Key),
        };
        _cleanup.Track(supervisor);
        return supervisor;
    }

    private ProcessStatus Track(ProcessStatus status)
    {
        if (status.Pid is int pid)
        {
            _cleanup.TrackGroup(pid, status.StartTicks);
        }

        return status;
    }

    private static string ReadLog(ProcessStatus status) => File.Exists(status.LogFile) ? File.ReadAllText(status.LogFile) : "";
}
