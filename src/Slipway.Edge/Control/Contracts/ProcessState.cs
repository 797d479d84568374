using System.Text.Json.Serialization;

namespace Slipway.Edge.Control.Contracts;

/// <summary>
/// Where a supervised process is in its life (<see cref="ProcessStatus.State"/>). On the wire, in the state file and
/// in the admin API it is the lowercase name, whatever serializer options carry it.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProcessState>))]
public enum ProcessState
{
    [JsonStringEnumMemberName("starting")]
    Starting,

    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Exited unexpectedly; the supervisor restarts it after a delay.</summary>
    [JsonStringEnumMemberName("backoff")]
    Backoff,

    [JsonStringEnumMemberName("stopping")]
    Stopping,

    /// <summary>Stopped on request; it stays down.</summary>
    [JsonStringEnumMemberName("stopped")]
    Stopped,

    /// <summary>Ended by itself and not restarted (its definition does not restart it).</summary>
    [JsonStringEnumMemberName("exited")]
    Exited,
}
