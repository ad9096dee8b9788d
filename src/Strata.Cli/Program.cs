using Strata.Cli;

return StrataCli.Run(args, Console.Out, Console.Error);
