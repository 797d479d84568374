using Slipway.Cli;

return await SlipwayCli.RunAsync(args);
