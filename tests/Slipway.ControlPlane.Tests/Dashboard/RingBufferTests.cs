using Slipway.ControlPlane.Dashboard.EdgeCharts;

namespace Slipway.ControlPlane.Tests.Dashboard;

public sealed class RingBufferTests
{
    [Fact]
    public void Add_BeyondCapacity_DropsTheOldest_AndLeavesEarlierBuffersAsTheyWere()
    {
        var ring = new RingBuffer<int>(3);
        var two = ring.Add(1).Add(2);
        var five = two.Add(3).Add(4).Add(5);

        Assert.Equal([1, 2], two.ToList());
        Assert.Equal([3, 4, 5], five.ToList());
        Assert.Empty(ring.ToList());
    }
}
