using Strata.Cli;

ServeProcess.EnsureTieredCompilation(args);
return StrataCli.Run(args, Console.Out, Console.Error);
