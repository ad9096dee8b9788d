using System.CommandLine;
using Spectre.Console;
using Strata.Cli.Commands;
using Strata.Core.Policies;
using Strata.Serving.Gateway.Config;
using Strata.Engine.Cluster;
using Strata.Engine.Cost;
using Strata.Core.Data;
using Strata.Simulation.Validation;
using Strata.Simulation.Experts;
using Strata.Simulation.Workloads;

namespace Strata.Cli;

/// <summary>The <c>strata</c> command: its subcommands, and one place that turns bad input into one clear line.</summary>
public static class StrataCli
{
    /// <summary>Exit code for input the user must fix (a config, a name, a file).</summary>
    public const int UsageError = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
            // Escape codes only for a terminal: a file, a pipe or a test gets plain text.
            Ansi = ReferenceEquals(output, Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ReferenceEquals(output, Console.Out) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        // Redirected output (a file, a test, CI) gets a fixed width so tables never wrap mid-value.
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected) console.Profile.Width = 160;
        var root = new RootCommand("Strata: multi-layer scheduling for Mixture-of-Experts LLM serving — simulate, compare and serve.")
        {
            ExperimentCommand.Create(console),
            SimulateCommand.Create(console),
            PlanExpertsCommand.Create(console),
            ServeCommand.Create(console),
            EmulateCommand.Create(console),
            BenchCommand.Create(console),
            ValidateCommand.Create(console),
        };
        try
        {
            var parsed = root.Parse(args);
            // A value of the wrong type is bad input like any other: one line and exit 2, not the parser's help page.
            // --help and --version parse cleanly, so they still print.
            if (parsed.Errors.Count > 0) throw new CliUsageException(parsed.Errors[0].Message);
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ClusterConfigException or WorkloadException or PolicyConfigurationException or FormatException or CliUsageException or ExpertFileException or GatewayConfigException
                                       or ProfileException or RecordedRunException or DataNotFoundException)
        {
            error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
    }
}

/// <summary>A command-line value that cannot be used; the message names the option and the fix.</summary>
public sealed class CliUsageException(string message) : Exception(message);
