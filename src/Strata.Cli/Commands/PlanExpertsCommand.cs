using System.CommandLine;
using Spectre.Console;
using Strata.Core.Experts;
using Strata.Core.Policies;
using Strata.Cli.Output;
using Strata.Experts.Solver;
using Strata.Simulation.Experts;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata plan-experts</c>: expert placement from load statistics, written in DeepSeek EPLB's or
/// SGLang's format, with the balance, traffic and migration figures of the result.
/// </summary>
internal static class PlanExpertsCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var loads = new Option<FileInfo>("--loads") { Description = "JSON loads [layers][experts] or [layers][sources][experts], or {\"loads\", \"transitions\"}.", Required = true };
        var gpus = new Option<int>("--gpus") { Description = "EP ranks (GPUs) to place onto.", Required = true };
        var nodes = new Option<int>("--nodes") { Description = "Nodes the GPUs sit in (hierarchical EPLB keeps groups in a node).", DefaultValueFactory = _ => 1 };
        var slots = new Option<int?>("--slots") { Description = "Physical expert slots per layer, over all GPUs (default: one per expert, no replicas)." };
        var groups = new Option<int>("--groups") { Description = "Expert groups (DeepSeek's n_group).", DefaultValueFactory = _ => 1 };
        var planner = new Option<string>("--planner") { Description = "contiguous, eplb, balanced, class-balanced, gimbal-anchor or gimbal-minlp.", DefaultValueFactory = _ => "eplb" };
        var current = new Option<FileInfo?>("--current") { Description = "The placement in use, to count the experts a change moves." };
        var alpha = new Option<double?>("--alpha") { Description = "Weight of the max rank load (gimbal-minlp)." };
        var beta = new Option<double?>("--beta") { Description = "Weight of cross-rank traffic (gimbal-minlp)." };
        var gamma = new Option<double?>("--gamma") { Description = "Weight of experts moved (gimbal-minlp)." };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Seconds CP-SAT may spend per layer (gimbal-minlp; default 2)." };
        var exactMaxSize = new Option<int?>("--exact-max-size") { Description = "Solve a layer exactly when experts × GPUs is at most this (gimbal-minlp; default 32, 0 = local search only)." };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the placement JSON.", Required = true };
        var format = new Option<string>("--format") { Description = "strata (phy2log, log2phy, logcnt) or sglang (physical_to_logical_map).", DefaultValueFactory = _ => "strata" };
        var command = new Command("plan-experts", "Place experts and their replicas on GPUs from load statistics.")
        {
            loads, gpus, nodes, slots, groups, planner, current, alpha, beta, gamma, timeLimit, exactMaxSize, output, format,
        };
        command.SetAction(parse =>
        {
            var load = ExpertFiles.ReadLoads(parse.GetValue(loads)!.FullName);
            var name = parse.GetValue(planner)!;
            // Planner parameters by their catalog key (the name in cluster YAML) and the flag that sets them here.
            var flags = new (string Key, Option Flag, string? Value)[]
            {
                ("alpha", alpha, Invariant(parse.GetValue(alpha))), ("beta", beta, Invariant(parse.GetValue(beta))), ("gamma", gamma, Invariant(parse.GetValue(gamma))),
                ("time_limit_s", timeLimit, Invariant(parse.GetValue(timeLimit))), ("exact_max_size", exactMaxSize, Invariant(parse.GetValue(exactMaxSize))),
            };
            IExpertPlanner chosen;
            try
            {
                chosen = ExactExpertPlanners.Catalog.Create(new PolicyOptions(name, flags.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!), "--planner"));
            }
            catch (PolicyConfigurationException e)
            {
                // The catalog names a parameter by its YAML key; say which flag the user typed instead.
                throw new CliUsageException(flags.Aggregate(e.Message, (message, f) => message.Replace($"--planner.{f.Key}", f.Flag.Name)));
            }
            var fmt = parse.GetValue(format)!;
            if (fmt is not ("strata" or "sglang")) throw new CliUsageException($"--format: unknown format '{fmt}'; use strata or sglang.");

            PlacementShape shape;
            ExpertPlacement? before;
            try
            {
                shape = new PlacementShape(parse.GetValue(gpus), parse.GetValue(slots) ?? load.LogicalExperts, parse.GetValue(nodes), parse.GetValue(groups));
                shape.Validate(load.LogicalExperts);
                before = parse.GetValue(current) is { } file ? ExpertFiles.ReadPlacement(file.FullName, shape.Ranks, load.LogicalExperts) : null;
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));
            }
            if (before is not null && (before.Layers != load.Layers || before.PhysicalSlots != shape.PhysicalSlots))
                throw new CliUsageException($"--current: it has {before.Layers} layers × {before.PhysicalSlots} slots, the plan {load.Layers} × {shape.PhysicalSlots}.");

            var started = System.Diagnostics.Stopwatch.StartNew();
            var minlp = (chosen as GimbalMinlpPlanner)?.PlanWithReport(load, shape, before);
            var placement = minlp?.Placement ?? chosen.Plan(load, shape, before);
            var seconds = started.Elapsed.TotalSeconds;
            ExpertFiles.WritePlacement(placement, parse.GetValue(output)!.FullName, fmt);

            var table = new Table().Border(TableBorder.Simple)
                .Title($"{load.Layers} layers × {load.LogicalExperts} experts → {shape.PhysicalSlots} slots on {shape.Ranks} GPUs in {shape.Nodes} node(s)");
            foreach (var column in new[] { "placement", "balancedness mean", "worst layer", "cross-rank tokens", "replicas to load", "plan time" })
                table.AddColumn(new TableColumn(column).RightAligned());
            void Row(string label, ExpertPlacement p, string time)
            {
                var balance = PlacementMetrics.Summarize(p, load);
                var traffic = load.PerSource is null ? "n/a (no per-source loads)" : PlacementMetrics.CrossRankTokens(p, load).ToString("N0");
                var moved = before is null ? "n/a (no --current)" : PlacementMetrics.ReplicasToLoad(before, p).ToString("N0");
                table.AddRow(Markup.Escape(label), balance.Mean.ToString("F4"), balance.Worst.ToString("F4"), traffic, moved, time);
            }
            if (before is not null) Row("current", before, "");
            Row(name, placement, $"{seconds * 1000:F1} ms");
            console.Write(table);
            if (minlp is not null) MinlpLayerTable.Write(console, minlp.Layers);
            console.MarkupLineInterpolated($"[grey]balancedness = max / mean GPU load per layer (1 is perfect); wrote {parse.GetValue(output)!.FullName} ({fmt})[/]");
            return 0;
        });
        return command;
    }

    private static string? Invariant(IFormattable? value) => value?.ToString(null, System.Globalization.CultureInfo.InvariantCulture);
}
