using System.CommandLine;

namespace Slipway.Cli;

/// <summary><c>slipway init [DIR]</c>: write a starting <c>slipway.yml</c> guessed from the project in DIR.</summary>
internal static class InitCommand
{
    public const string FileName = "slipway.yml";

    public static Command Create()
    {
        var dir = new Argument<string>("dir")
        {
            Description = "The project directory. Default: the current directory.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => ".",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing slipway.yml." };
        var command = new Command(
            "init",
            "Write a commented slipway.yml for the project in DIR, guessing the build and run steps from a .csproj, package.json, "
            + "requirements.txt or Dockerfile. The app name comes from the directory name.");
        command.Arguments.Add(dir);
        command.Options.Add(force);
        command.SetAction(parseResult =>
        {
            var output = CliContext.OutputFor(parseResult);
            var directory = Path.GetFullPath(parseResult.GetValue(dir) ?? ".");
            return Run(output, directory, parseResult.GetValue(force));
        });
        return command;
    }

    public static int Run(Output output, string directory, bool force)
    {
        if (!Directory.Exists(directory))
        {
            output.Error($"{directory}: no such directory");
            return ExitCodes.Usage;
        }

        var path = Path.Combine(directory, FileName);
        if (File.Exists(path) && !force)
        {
            output.Error($"{path} already exists; edit it, or pass --force to overwrite it");
            return ExitCodes.Usage;
        }

        var (kind, yaml) = SpecTemplate.Generate(directory);
        File.WriteAllText(path, yaml);
        var guessed = kind == ProjectKind.Unknown
            ? "no known project type found: fill in build and run"
            : $"detected a {Describe(kind)} project";
        output.Success($"wrote {path} ({guessed})");
        output.Line("next: review it, then `slipway apps add slipway.yml` and `slipway deploy APP --from .`");
        return ExitCodes.Ok;
    }

    private static string Describe(ProjectKind kind) => kind switch
    {
        ProjectKind.DotNet => ".NET",
        ProjectKind.Node => "Node.js",
        ProjectKind.Python => "Python",
        ProjectKind.Docker => "Dockerfile",
        _ => "unknown",
    };
}
