using System.Globalization;
using Strata.Cli;

// ICU is loaded for tokenizers' Unicode normalization only: numbers and dates print the same on every machine.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
return StrataCli.Run(args, Console.Out, Console.Error);
