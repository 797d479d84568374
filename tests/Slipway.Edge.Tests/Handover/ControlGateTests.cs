using Slipway.Edge.Handover;

namespace Slipway.Edge.Tests.Handover;

public sealed class ControlGateTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FreezeAsync_ChangeInProgress_WaitsForItToFinish()
    {
        var gate = new ControlGate();
        Assert.True(await gate.EnterAsync(CancellationToken.None));

        var freeze = gate.FreezeAsync(Long, TimeProvider.System, CancellationToken.None);
        Assert.False(freeze.IsCompleted);
        gate.Exit();

        Assert.True(await freeze.WaitAsync(Long));
    }

    [Fact]
    public async Task EnterAsync_WhileFrozenThenThawed_ProceedsHere()
    {
        var gate = new ControlGate();
        Assert.True(await gate.FreezeAsync(Long, TimeProvider.System, CancellationToken.None));

        var waiting = gate.EnterAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        gate.Thaw();

        Assert.True(await waiting.WaitAsync(Long));
    }

    [Fact]
    public async Task EnterAsync_WhileFrozenThenHandedOver_IsTurnedAwayAndStaysShut()
    {
        var gate = new ControlGate();
        Assert.True(await gate.FreezeAsync(Long, TimeProvider.System, CancellationToken.None));
        var waiting = gate.EnterAsync(CancellationToken.None);

        gate.HandOver();

        Assert.False(await waiting.WaitAsync(Long));
        Assert.False(await gate.EnterAsync(CancellationToken.None).WaitAsync(Long));
    }

    [Fact]
    public async Task FreezeAsync_ChangeOutlastsTimeout_ReturnsFalseAndThaws()
    {
        var gate = new ControlGate();
        Assert.True(await gate.EnterAsync(CancellationToken.None));

        Assert.False(await gate.FreezeAsync(TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None));

        Assert.True(await gate.EnterAsync(CancellationToken.None).WaitAsync(Long));
    }
}
