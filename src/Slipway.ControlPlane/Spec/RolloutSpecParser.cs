using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Slipway.ControlPlane.Spec;

/// <summary>Reads <c>rollout:</c> with the same file/line/key errors as the rest of the spec.</summary>
internal static class RolloutSpecParser
{
    public static readonly string[] InconclusiveModes = ["advance", "abort", "pause"];

    private static readonly string[] RolloutKeys = ["steps", "pause", "analysis"];
    private static readonly string[] AnalysisKeys = ["min_requests", "max_wait", "inconclusive", "max_error_rate", "max_error_ratio", "max_latency_ratio", "latency_margin"];

    public static RolloutSpec? Read(YamlNode node, SpecReader reader)
    {
        var map = reader.Mapping(node, "rollout", RolloutKeys, "rollout: { steps: [5%, 25%, 50%], pause: 2m }");
        if (map is null)
        {
            return null;
        }

        var rollout = new RolloutSpec();
        if (!map.TryGetValue("steps", out var steps))
        {
            if (!reader.Errors.Any(e => e.Key.StartsWith("rollout", StringComparison.Ordinal)))
            {
                reader.Error(node, "rollout.steps", "is missing; list the canary's shares in order, e.g. `steps: [5%, 25%, 50%]`");
            }
        }
        else
        {
            rollout = rollout with { Steps = ReadSteps(steps.Value, reader) };
        }

        if (map.TryGetValue("pause", out var pause) && reader.Duration(pause.Value, "rollout.pause", allowZero: false) is { } p)
        {
            rollout = rollout with { Pause = p };
        }

        if (map.TryGetValue("analysis", out var analysis) && !SpecReader.IsNull(analysis.Value))
        {
            rollout = rollout with { Analysis = ReadAnalysis(analysis.Value, reader) };
        }

        return rollout;
    }

    /// <summary>Parses <c>10%</c> or <c>10</c> as a share from 1 to 100; null with a message otherwise (the CLI's <c>--canary</c> uses it too).</summary>
    public static int? ParseShare(string text, out string error)
    {
        error = "";
        var trimmed = text.Trim();
        var digits = trimmed.EndsWith('%') ? trimmed[..^1] : trimmed;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var share))
        {
            error = $"`{text}` is not a share of traffic; write a whole percentage, e.g. `10%`";
            return null;
        }

        if (share is < 1 or > 100)
        {
            error = $"{share}% is out of range; a share is from 1% to 100%";
            return null;
        }

        return share;
    }

    private static List<int> ReadSteps(YamlNode node, SpecReader reader)
    {
        var shares = new List<int>();
        var sequence = reader.Sequence(node, "rollout.steps", "steps: [5%, 25%, 50%]");
        if (sequence is null)
        {
            return shares;
        }

        if (sequence.Children.Count == 0)
        {
            reader.Error(node, "rollout.steps", "is empty; list at least one share, e.g. `steps: [10%]`, or remove `rollout` for a full swap");
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"rollout.steps[{i}]";
            if (reader.String(sequence.Children[i], path) is not { } text)
            {
                continue;
            }

            if (ParseShare(text, out var error) is not { } share)
            {
                reader.Error(sequence.Children[i], path, error);
            }
            else if (shares.Count > 0 && share <= shares[^1])
            {
                reader.Error(sequence.Children[i], path, $"{share}% does not grow from the step before ({shares[^1]}%); list the shares in increasing order");
            }
            else
            {
                shares.Add(share);
            }
        }

        return shares;
    }

    private static AnalysisSpec ReadAnalysis(YamlNode node, SpecReader reader)
    {
        var analysis = new AnalysisSpec();
        var map = reader.Mapping(node, "rollout.analysis", AnalysisKeys, "analysis: { min_requests: 100, max_error_rate: 5% }");
        if (map is null)
        {
            return analysis;
        }

        if (map.TryGetValue("min_requests", out var min) &&
            reader.Integer(min.Value, "rollout.analysis.min_requests", 1, 10_000_000, "give a number of requests of at least 1, e.g. `min_requests: 100`") is { } m)
        {
            analysis = analysis with { MinRequests = (int)m };
        }

        if (map.TryGetValue("max_wait", out var wait) && reader.Duration(wait.Value, "rollout.analysis.max_wait", allowZero: true) is { } w)
        {
            analysis = analysis with { MaxWait = w };
        }

        if (map.TryGetValue("inconclusive", out var inconclusive) && reader.String(inconclusive.Value, "rollout.analysis.inconclusive") is { } mode)
        {
            if (InconclusiveModes.Contains(mode))
            {
                analysis = analysis with { Inconclusive = mode };
            }
            else
            {
                var suggestion = KeySuggester.Suggest(mode, InconclusiveModes);
                var hint = suggestion is null ? "" : $" (did you mean `{suggestion}`?)";
                reader.Error(inconclusive.Value, "rollout.analysis.inconclusive", $"`{mode}` is not a choice; use `advance`, `abort` or `pause`{hint}");
            }
        }

        if (map.TryGetValue("max_error_rate", out var rate) && Percentage(rate.Value, "rollout.analysis.max_error_rate", reader) is { } r)
        {
            analysis = analysis with { MaxErrorRate = r };
        }

        if (map.TryGetValue("max_error_ratio", out var errorRatio) && Ratio(errorRatio.Value, "rollout.analysis.max_error_ratio", reader) is { } er)
        {
            analysis = analysis with { MaxErrorRatio = er };
        }

        if (map.TryGetValue("max_latency_ratio", out var latencyRatio) && Ratio(latencyRatio.Value, "rollout.analysis.max_latency_ratio", reader) is { } lr)
        {
            analysis = analysis with { MaxLatencyRatio = lr };
        }

        if (map.TryGetValue("latency_margin", out var margin) && reader.Duration(margin.Value, "rollout.analysis.latency_margin", allowZero: true) is { } lm)
        {
            analysis = analysis with { LatencyMargin = lm };
        }

        return analysis;
    }

    /// <summary><c>5%</c> or <c>0.5%</c> → 0.05 / 0.005; the % sign is required so 5 is never read as 500 %.</summary>
    private static double? Percentage(YamlNode node, string path, SpecReader reader)
    {
        var text = reader.String(node, path)?.Trim();
        if (text is null)
        {
            return null;
        }

        if (!text.EndsWith('%') || !double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) || percent > 100)
        {
            reader.Error(node, path, $"`{text}` is not a percentage; write one from 0% to 100%, e.g. `5%`");
            return null;
        }

        return percent / 100;
    }

    private static double? Ratio(YamlNode node, string path, SpecReader reader)
    {
        var text = reader.String(node, path)?.Trim();
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ratio) || ratio < 1)
        {
            reader.Error(node, path, $"`{text}` is not a ratio of 1 or more; write how many times the stable figure the canary may reach, e.g. `2`");
            return null;
        }

        return ratio;
    }
}
