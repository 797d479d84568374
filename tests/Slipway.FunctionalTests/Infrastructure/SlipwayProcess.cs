using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Slipway.Edge.Supervision;
using Slipway.FunctionalTests.Cli;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// The real <c>slipway up</c> (or <c>quickstart</c>) as a child process, with its own temporary home, free
/// loopback listeners and its own app port range. Ready once the admin listener answers <c>/readyz</c>
/// and the admin token is written. Disposing stops it with SIGTERM and kills every process it left
/// behind (apps keep running after <c>up</c> stops, by design).
/// </summary>
internal sealed class SlipwayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _edge;
    private readonly LaunchSettings _launch;
    private AdminHttp? _admin;
    private bool _handedOver;

    private SlipwayProcess(Process process, string home, Uri httpUrl, Uri adminUrl, LaunchSettings launch)
    {
        _process = process;
        Home = home;
        HttpUrl = httpUrl;
        AdminUrl = adminUrl;
        _launch = launch;
        _edge = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = httpUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Home { get; }

    /// <summary>The edge's public listener, where apps are reached by their route's Host.</summary>
    public Uri HttpUrl { get; }

    public Uri AdminUrl { get; }

    /// <summary>The admin API, authenticated with the token the control plane wrote into the home.</summary>
    public AdminHttp Admin => _admin ?? throw new InvalidOperationException("Not ready yet.");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process printed so far (stdout and stderr interleaved).</summary>
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

    /// <summary>Starts <c>slipway up</c> in a fresh temporary home and waits until the admin API is ready.</summary>
    public static Task<SlipwayProcess> UpAsync() => StartAsync("up", workingDirectory: null, waitForReady: true);

    /// <summary>
    /// Starts <paramref name="command"/> (<c>up</c> or <c>quickstart</c>) with fresh listeners and home, retrying
    /// with new ports when another process grabbed one between picking and binding it.
    /// </summary>
    public static async Task<SlipwayProcess> StartAsync(string command, string? workingDirectory, bool waitForReady,
        IReadOnlyDictionary<string, string>? environment = null, string? appPorts = null, string? executable = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var home = Directory.CreateTempSubdirectory("slipway-cp-").FullName;
            var instance = Launch(new LaunchSettings(command, home, workingDirectory ?? home,
                new Uri($"http://127.0.0.1:{FreePort.Next()}"), new Uri($"http://127.0.0.1:{FreePort.Next()}"), appPorts ?? FreePort.NextAppRange(), environment,
                executable));
            try
            {
                if (waitForReady)
                {
                    await instance.WaitUntilReadyAsync(StartDeadline);
                }

                return instance;
            }
            catch (Exception) when (attempt < 3 && instance.HasExited)
            {
                await instance.DisposeAsync();
            }
            catch
            {
                await instance.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Stops this instance with SIGTERM, leaving its apps running and its home in place, and starts <c>slipway up</c>
    /// again on the same home, listeners and port range, as an operator restarting Slipway would.
    /// </summary>
    public async Task<SlipwayProcess> RestartAsync()
    {
        await StopAsync(StopDeadline);
        _handedOver = true;
        var next = Launch(_launch);
        try
        {
            await next.WaitUntilReadyAsync(StartDeadline);
            return next;
        }
        catch
        {
            await next.DisposeAsync();
            throw;
        }
    }

    private static SlipwayProcess Launch(LaunchSettings launch)
    {
        var (command, home, workingDirectory, httpUrl, adminUrl, ports, environment, executable) = launch;
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in (executable is null ? new[] { RepoPaths.SlipwayDll } : []).Concat(new[]
        {
            command, "--home", home, "--http", httpUrl.Authority, "--admin", adminUrl.Authority, "--ports", ports,
        }))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "SLIPWAY_HOME", "SLIPWAY_URL", "SLIPWAY_TOKEN", "SLIPWAY_EDGE_HTTP", "SLIPWAY_ADMIN", "SLIPWAY_EDGE_H2C", "SLIPWAY_TRUSTED_PROXIES" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var instance = new SlipwayProcess(process, home, httpUrl, adminUrl, launch);
        process.OutputDataReceived += (_, e) => instance.Append(e.Data);
        process.ErrorDataReceived += (_, e) => instance.Append(e.Data);
        process.Exited += (_, _) => instance._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return instance;
    }

    /// <summary>Polls <c>/readyz</c> on the admin listener until it answers 200 and the token file exists.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan deadline)
    {
        using var probe = new HttpClient { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(5) };
        var tokenFile = Path.Combine(Home, "admin.token");
        await Poll.UntilAsync(
            async () =>
            {
                if (HasExited)
                {
                    throw new InvalidOperationException($"slipway exited with code {_process.ExitCode} before it was ready:\n{Output}");
                }

                return File.Exists(tokenFile) && await IsReadyAsync(probe);
            },
            deadline,
            $"slipway at {AdminUrl} to be ready; its output:\n{Output}");
        _admin ??= new AdminHttp(AdminUrl, (await File.ReadAllTextAsync(tokenFile)).Trim());
    }

    private static async Task<bool> IsReadyAsync(HttpClient probe)
    {
        try
        {
            using var response = await probe.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>A request to an app through the edge, addressed by its route's host.</summary>
    public async Task<(HttpStatusCode Status, string Body)> EdgeGetAsync(string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await _edge.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    /// <summary>Waits for a line of output containing <paramref name="text"/>.</summary>
    /// <summary>The last lines the control plane logged: it runs supervised by the edge, its output in the home, not in <see cref="Output"/>.</summary>
    public string ControlPlaneLogTail(int lines)
    {
        var path = Path.Combine(Home, "logs", "processes", "slipway.log");
        return File.Exists(path) ? string.Join('\n', File.ReadAllLines(path).TakeLast(lines)) : "(no log at " + path + ")";
    }

    public Task WaitForOutputAsync(string text, TimeSpan deadline) =>
        Poll.UntilAsync(
            () => Output.Contains(text, StringComparison.Ordinal) || (HasExited ? throw new InvalidOperationException($"slipway exited with code {_process.ExitCode}:\n{Output}") : false),
            deadline,
            $"\"{text}\" in slipway's output:\n{Output}");

    /// <summary>The edge's view of its supervised processes (<c>HOME/edge/state.json</c>): id to pid.</summary>
    public IReadOnlyDictionary<string, int> SupervisedProcesses()
    {
        var path = Path.Combine(Home, "edge", "state.json");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        using var state = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var process in state.RootElement.GetProperty("processes").EnumerateArray())
        {
            if (process.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.Number)
            {
                result[process.GetProperty("id").GetString()!] = pid.GetInt32();
            }
        }

        return result;
    }

    /// <summary>Runs the real CLI against this instance, as a user with SLIPWAY_URL and SLIPWAY_HOME set would.</summary>
    public Task<CliRun> CliAsync(params string[] args) => CliWithInputAsync(null, args);

    /// <summary>Runs the real CLI with <paramref name="input"/> on its stdin (e.g. a secret it reads from there).</summary>
    public async Task<CliRun> CliWithInputAsync(string? input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            WorkingDirectory = Home,
        };
        start.ArgumentList.Add(RepoPaths.SlipwayDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("SLIPWAY_TOKEN");
        start.Environment["SLIPWAY_URL"] = AdminUrl.ToString().TrimEnd('/');
        start.Environment["SLIPWAY_HOME"] = Home;
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"slipway {string.Join(' ', args)} did not exit within 120 s.");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Sends SIGTERM (what Ctrl-C or a service manager sends) and waits for the process to exit.</summary>
    public async Task<int> StopAsync(TimeSpan deadline)
    {
        if (!HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
            await kill.WaitForExitAsync();
            await _exited.Task.WaitAsync(deadline);
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_handedOver)
        {
            // RestartAsync stopped this one; the instance it started owns the home and the apps now.
            _admin?.Dispose();
            _edge.Dispose();
            _process.Dispose();
            return;
        }

        try
        {
            await StopAsync(StopDeadline);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }

        // Apps outlive `slipway up` on purpose; a test leaves nothing running.
        foreach (var pid in SupervisedProcesses().Values)
        {
            if (pid > 1)
            {
                ProcessSignals.SignalGroup(pid, ProcessSignals.SigKill);
            }
        }

        _admin?.Dispose();
        _edge.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A process killed a moment ago may still be closing a log file; the temp folder is harmless.
        }
    }

    /// <param name="Executable">A release binary to run; null runs <c>dotnet slipway.dll</c> of this build.</param>
    private sealed record LaunchSettings(string Command, string Home, string WorkingDirectory, Uri HttpUrl, Uri AdminUrl, string Ports,
        IReadOnlyDictionary<string, string>? Environment, string? Executable);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
