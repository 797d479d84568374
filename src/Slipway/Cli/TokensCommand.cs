using System.CommandLine;

namespace Slipway.Cli;

/// <summary><c>slipway tokens create|list|revoke</c>: admin API tokens.</summary>
internal static class TokensCommand
{
    public static Command Create()
    {
        var command = new Command("tokens", "Create, list and revoke admin API tokens (for CI or other machines).");

        var name = new Argument<string>("name") { Description = "A label for the token, e.g. the CI system that will use it." };
        var role = new Option<string>("--role")
        {
            Description = "admin (may deploy, roll back and change settings) or viewer (reads only: the dashboard shows no buttons, the API answers 403 to changes).",
            DefaultValueFactory = _ => "admin",
        };
        role.AcceptOnlyFromAmong("admin", "viewer");
        var create = new Command("create", "Create a token. It is printed once; store it as SLIPWAY_TOKEN where it is used, or paste it into the dashboard's sign-in.");
        create.Arguments.Add(name);
        create.Options.Add(role);
        ClientCommand.SetAction(create, async (context, cancellationToken) =>
        {
            var token = await context.Client.CreateTokenAsync(context.ParseResult.GetRequiredValue(name), context.ParseResult.GetValue(role) ?? "admin", cancellationToken);
            if (context.Json)
            {
                context.Output.Json(token);
                return ExitCodes.Ok;
            }

            // The token goes alone to stdout so `export SLIPWAY_TOKEN=$(slipway tokens create ci)` works.
            context.Output.Line(token.Token ?? "");
            context.Output.Note($"token {token.Id} ({token.Name}, {token.Role}) created; it is shown only now. Use it as SLIPWAY_TOKEN or sign in to the dashboard with it.");
            return ExitCodes.Ok;
        }, json: true);

        var list = new Command("list", "List tokens (never their values).");
        ClientCommand.SetAction(list, async (context, cancellationToken) =>
        {
            var tokens = await context.Client.ListTokensAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.Json(tokens);
                return ExitCodes.Ok;
            }

            context.Output.Table(
                ["ID", "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED"],
                tokens.Select(t => (IReadOnlyList<string>)[t.Id, t.Name, t.Role, Time(t.CreatedAt), t.LastUsedAt is { } u ? Time(u) : "-", t.RevokedAt is { } r ? Time(r) : "-"]));
            return ExitCodes.Ok;
        }, json: true);

        var id = new Argument<string>("id") { Description = "Id of the token to revoke (see `slipway tokens list`)." };
        var revoke = new Command("revoke", "Revoke a token; requests using it are refused from now on.");
        revoke.Arguments.Add(id);
        ClientCommand.SetAction(revoke, async (context, cancellationToken) =>
        {
            var tokenId = context.ParseResult.GetRequiredValue(id);
            await context.Client.RevokeTokenAsync(tokenId, cancellationToken);
            context.Output.Success($"revoked {tokenId}");
            return ExitCodes.Ok;
        });

        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        command.Subcommands.Add(revoke);
        return command;
    }

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'");
}
