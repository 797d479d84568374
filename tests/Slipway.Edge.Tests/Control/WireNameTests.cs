using System.Text.Json;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Tests.Control;

public sealed class WireNameTests
{
    public static TheoryData<JsonSerializerOptions> Options => new() { ControlJson.Options, new JsonSerializerOptions(JsonSerializerDefaults.Web) };

    [Theory]
    [MemberData(nameof(Options))]
    public void Serialize_TypedStates_WritesTheLowercaseNames(JsonSerializerOptions options)
    {
        var target = JsonSerializer.Serialize(new TargetStatus { Id = "a", Health = TargetHealth.Unhealthy }, options);
        var process = JsonSerializer.Serialize(new ProcessStatus { Id = "p", State = ProcessState.Backoff }, options);

        Assert.Contains("\"health\":\"unhealthy\"", target, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"backoff\"", process, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Deserialize_LowercaseNames_ReadsTheTypedStates(JsonSerializerOptions options)
    {
        Assert.Equal(TargetHealth.Healthy, JsonSerializer.Deserialize<TargetStatus>("{\"health\":\"healthy\"}", options)!.Health);
        Assert.Equal(ProcessState.Exited, JsonSerializer.Deserialize<ProcessStatus>("{\"state\":\"exited\"}", options)!.State);
    }

    [Fact]
    public void Of_EveryState_IsItsWireName()
    {
        Assert.Equal(["unknown", "healthy", "unhealthy"], Enum.GetValues<TargetHealth>().Select(WireName.Of));
        Assert.Equal(["starting", "running", "backoff", "stopping", "stopped", "exited"], Enum.GetValues<ProcessState>().Select(WireName.Of));
        Assert.Equal(ProcessState.Stopping, WireName.Parse<ProcessState>("stopping"));
        Assert.Null(WireName.Parse<ProcessState>("Running"));
    }
}
