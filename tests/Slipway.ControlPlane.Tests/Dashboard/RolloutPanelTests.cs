using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Dashboard.Pages;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.Store;

namespace Slipway.ControlPlane.Tests.Dashboard;

/// <summary>The deployment page's rollout panel: steps, decisions and both sides' figures, escaped; nothing without a rollout.</summary>
public sealed class RolloutPanelTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(Now);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Render_TwoStepsAndAnAbort_ShowsWeightsStatesReasonAndBothSidesFiguresEscaped()
    {
        var view = new RolloutView
        {
            State = "aborted", Steps = [10, 50], Step = 1, Weight = 0, StableGeneration = 3, CanaryGeneration = 4,
            Reason = "canary <b>error</b> rate",
            Decisions =
            [
                new RolloutDecisionView { At = Now.AddMinutes(-3), Step = 1, Weight = 10, Decision = "step" },
                new RolloutDecisionView
                {
                    At = Now.AddMinutes(-1), Step = 1, Weight = 10, Decision = "abort", By = "analysis",
                    Reason = "canary error rate 20.37% is over the ceiling of 5% <script>alert(1)</script>",
                    Canary = new WindowFiguresView { Requests = 54, Errors = 11, ErrorRate = 11 / 54.0, P99Ms = 43.4 },
                    Stable = new WindowFiguresView { Requests = 440, Errors = 0, ErrorRate = 0, P99Ms = 60 },
                },
            ],
        };

        var html = RolloutPanel.Render(view, "shaky", _time);

        Assert.Contains("<td>10%</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>50%</td>", html, StringComparison.Ordinal);
        Assert.Contains(">aborted</span>", html, StringComparison.Ordinal);
        Assert.Contains(">skipped</span>", html, StringComparison.Ordinal);
        Assert.Contains("3m ago", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\" rowspan=\"2\">abort</th><td rowspan=\"2\">analysis</td>", html, StringComparison.Ordinal);
        Assert.Contains("over the ceiling of 5% &lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("canary &lt;b&gt;error&lt;/b&gt; rate", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("<td>canary</td><td>54</td><td>11</td><td>20.37%</td><td>43.4 ms</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>stable</td><td>440</td><td>0</td><td>0.00%</td><td>60 ms</td>", html, StringComparison.Ordinal);
        // Ended: no commands to steer it.
        Assert.DoesNotContain("slipway rollout", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FromTheStore_NothingWithoutARolloutAndTheRunningStepWithItsCommandsWithOne()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        store.UpsertApp("hello", "app: hello\n");
        var panel = new RolloutPanel(store, _time);
        var canary = store.CreateDeployment(new NewDeployment { App = "hello" });
        store.StartDeployment(canary.Id);
        store.StartRollout(canary.Id, [5, 25], hold: false, stableGeneration: 1, canaryGeneration: 2);
        store.SetRolloutStep(canary.Id, 0, 5);
        store.DecideRollout(canary.Id, new RolloutDecision
        {
            Step = 0, Weight = 5, Decision = "advance", Reason = "healthy",
            Canary = new WindowFigures { Requests = 120 }, Stable = new WindowFigures { Requests = 2000, Errors = 2, ErrorRate = 0.001 },
        }, RolloutStates.Running);
        store.SetRolloutStep(canary.Id, 1, 25);
        var plain = store.CreateDeployment(new NewDeployment { App = "hello", Env = "staging" });

        Assert.Null(panel.Render(store.GetDeployment(plain.Id)!));
        var html = panel.Render(store.GetDeployment(canary.Id)!)!;
        Assert.Contains("<td>5%</td><td><span class=\"badge ok\">done</span>", html, StringComparison.Ordinal);
        Assert.Contains("<td>25%</td><td><span class=\"badge busy\">current</span>", html, StringComparison.Ordinal);
        Assert.Contains("<td>stable</td><td>2000</td><td>2</td><td>0.10%</td><td>–</td>", html, StringComparison.Ordinal);
        Assert.Contains("slipway rollout hello promote  |  slipway rollout hello abort  |  slipway rollout hello pause", html, StringComparison.Ordinal);
    }
}
