using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Slipway.FunctionalTests.Edge;

/// <summary>The real <c>slipway edge</c> binary (<c>dotnet slipway.dll edge ...</c>) as a child process.</summary>
internal sealed partial class EdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EdgeProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static EdgeProcess Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "slipway.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("SLIPWAY_HOME");
        info.Environment.Remove("SLIPWAY_EDGE_HTTP");
        info.Environment.Remove("SLIPWAY_ADMIN");
        var edge = new EdgeProcess(Process.Start(info)!);
        edge._process.OutputDataReceived += (_, e) => edge.OnLine(e.Data);
        edge._process.ErrorDataReceived += (_, e) => edge.OnLine(e.Data);
        edge._process.BeginOutputReadLine();
        edge._process.BeginErrorReadLine();
        return edge;
    }

    /// <summary>The public listener's base URL, once the edge says it listens.</summary>
    public async Task<Uri> WaitUntilListeningAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_listening.Task, exited, Task.Delay(timeout));
        if (done != _listening.Task)
        {
            throw new TimeoutException($"slipway edge did not start listening. Output:\n{Output}");
        }

        return new Uri(await _listening.Task);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(match.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"Edge listening on (http://[0-9.]+:[0-9]+)")]
    private static partial Regex ListeningLine();
}
