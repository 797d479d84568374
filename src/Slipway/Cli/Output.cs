using System.Text;
using System.Text.Json;
using Slipway.Client;
using Spectre.Console;

namespace Slipway.Cli;

/// <summary>
/// Everything a command prints goes through here, so commands hold logic only. On a terminal it uses Spectre for
/// colour, tables and a live status line; otherwise (pipes, CI, tests) it writes plain, stable lines.
/// </summary>
internal sealed class Output
{
    private readonly IAnsiConsole? _console;

    public Output(TextWriter stdout, TextWriter stderr, bool interactive)
    {
        Stdout = stdout;
        Stderr = stderr;
        Interactive = interactive;
        _console = interactive ? AnsiConsole.Console : null;
    }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public bool Interactive { get; }

    /// <summary>Output bound to the process's console; interactive only when stdout is a terminal.</summary>
    public static Output ForConsole(TextWriter stdout, TextWriter stderr) =>
        new(stdout, stderr, ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected);

    public void Line(string text = "")
    {
        if (_console is not null)
        {
            _console.WriteLine(text);
        }
        else
        {
            Stdout.WriteLine(text);
        }
    }

    /// <summary>A heading-like line (a deploy phase): bold on a terminal, <c>==&gt; text</c> otherwise.</summary>
    public void Step(string text)
    {
        if (_console is not null)
        {
            _console.MarkupLine($"[bold blue]==>[/] [bold]{Markup.Escape(text)}[/]");
        }
        else
        {
            Stdout.WriteLine($"==> {text}");
        }
    }

    /// <summary>A line of process or build output, indented so it reads apart from Slipway's own lines.</summary>
    public void LogLine(string text)
    {
        if (_console is not null)
        {
            _console.MarkupLine($"[grey]  | {Markup.Escape(text)}[/]");
        }
        else
        {
            Stdout.WriteLine($"  | {text}");
        }
    }

    public void Success(string text) => Mark("green", "✓", text, Stdout);

    public void Failure(string text) => Mark("red", "✗", text, Stdout);

    public void Warning(string text) => Mark("yellow", "!", text, Stdout);

    /// <summary>An error on stderr, prefixed <c>error:</c>.</summary>
    public void Error(string text)
    {
        if (_console is not null && !Console.IsErrorRedirected && ReferenceEquals(Stderr, Console.Error))
        {
            Stderr.WriteLine($"\u001b[31merror:\u001b[0m {text}");
        }
        else
        {
            Stderr.WriteLine($"error: {text}");
        }
    }

    /// <summary>A secondary line on stderr (hints, notes) that never pollutes piped stdout.</summary>
    public void Note(string text) => Stderr.WriteLine(text);

    public void Json<T>(T value) => Stdout.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>A table: Spectre-drawn on a terminal, space-aligned columns otherwise.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var materialised = rows.ToList();
        if (_console is not null)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in headers)
            {
                table.AddColumn(new TableColumn($"[bold]{Markup.Escape(header)}[/]"));
            }

            foreach (var row in materialised)
            {
                table.AddRow(row.Select(cell => Markup.Escape(cell)).ToArray());
            }

            _console.Write(table);
            return;
        }

        Stdout.Write(FormatPlainTable(headers, materialised));
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a live status line on a terminal (a spinner and the text it sets);
    /// elsewhere the status updates are dropped, since the caller prints the lines that matter.
    /// </summary>
    public async Task<T> WithStatusAsync<T>(string initial, Func<Action<string>, Task<T>> work)
    {
        if (_console is null)
        {
            return await work(_ => { });
        }

        return await _console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(initial), context => work(status => context.Status(Markup.Escape(status))));
    }

    public static string FormatPlainTable(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < widths.Length && i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        AppendRow(text, headers, widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            line.Append(i == widths.Length - 1 ? cell : cell.PadRight(widths[i] + 2));
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private void Mark(string colour, string symbol, string text, TextWriter plain)
    {
        if (_console is not null)
        {
            _console.MarkupLine($"[{colour}]{symbol}[/] {Markup.Escape(text)}");
        }
        else
        {
            plain.WriteLine($"{symbol} {text}");
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(AdminClient.Json) { WriteIndented = true };
}
