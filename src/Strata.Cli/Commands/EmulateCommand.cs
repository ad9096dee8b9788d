using System.CommandLine;
using Spectre.Console;
using Strata.Emulation;
using Strata.Experts.Solver;
using Strata.Serving.Tokenization;
using Strata.Engine.Cluster;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata emulate</c>: vLLM-compatible engine servers driven in real time by the simulator's
/// engine model, for gateways and clients on machines without GPUs. Runs until interrupted.
/// </summary>
internal static class EmulateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var cluster = new Option<string>("--cluster") { Description = "Cluster preset (rtxpro6000-dp2ep2, gimbal-a100, gimbal-h100, gimbal-a100-fitted, gimbal-h100-fitted) or YAML file; each engine is one of its DP engines.", DefaultValueFactory = _ => "gimbal-a100" };
        var engines = new Option<int?>("--engines") { Description = "Servers to start, server i on port + i (default: the cluster's data-parallel size, one DP engine each; 1 with --data-parallel-size)." };
        var dataParallel = new Option<int>("--data-parallel-size", "-dp") { Description = "DP ranks (engine cores) behind each server's one port, as vllm serve --data-parallel-size runs them; requests pick a rank by the X-data-parallel-rank header or vLLM's DP balancer.", DefaultValueFactory = _ => 1 };
        var expertParallel = new Option<bool>("--enable-expert-parallel") { Description = "The server's DP ranks form one expert-parallel group and step in lockstep (MoE models, --data-parallel-size 2 or more), as vllm serve --enable-expert-parallel." };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port of server 0; server i listens on port + i.", DefaultValueFactory = _ => 8000 };
        var model = new Option<string?>("--served-model-name") { Description = "Model name clients must send (default: the cluster's model)." };
        var timeScale = new Option<double>("--time-scale") { Description = "Modelled seconds per wall second: 10 serves ten times faster than the modelled GPUs.", DefaultValueFactory = _ => 1.0 };
        var defaultMaxTokens = new Option<int>("--default-max-tokens") { Description = "Output tokens when a request leaves the limit to the engine: chat without max_completion_tokens or max_tokens, or a null one (completions without max_tokens get vLLM's 16; EOS is always ignored).", DefaultValueFactory = _ => 256 };
        var seed = new Option<int>("--seed") { Description = "Seed of the MoE routing samples and the error injection.", DefaultValueFactory = _ => 0 };
        var errorRate = new Option<double>("--error-rate") { Description = "Fraction of completion requests answered 500 before any byte.", DefaultValueFactory = _ => 0.0 };
        var crashAfter = new Option<int?>("--crash-after") { Description = "After N completion requests, the next one crashes the engine: connections reset, listener closed." };
        var slowStart = new Option<double>("--slow-start") { Description = "Wall seconds during which /health and completions answer 503, as a loading engine.", DefaultValueFactory = _ => 0.0 };
        var kvEvents = new Option<string?>("--kv-events-config") { Description = "vLLM's KV-event publishing, as vllm serve takes it: '{\"enable_kv_cache_events\": true, \"publisher\": \"zmq\", \"endpoint\": \"tcp://*:5557\", \"replay_endpoint\": \"tcp://*:5600\"}'; rank r publishes at each port + r (server i of --engines at + i x ranks)." };
        var tokenizer = new Option<FileInfo?>("--tokenizer") { Description = "The model's tokenizer.json: prompts count and cache as its token ids (default: UTF-8 bytes / 4)." };
        var stallAfter = new Option<int?>("--stall-after-tokens") { Description = "Every response stops after K tokens and never ends." };
        var command = new Command("emulate", "Serve vLLM-compatible engines whose timing comes from the simulator's engine model, in real time.")
        {
            cluster, engines, dataParallel, expertParallel, host, port, model, timeScale, defaultMaxTokens, seed, errorRate, crashAfter, slowStart, stallAfter, tokenizer, kvEvents,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var config = ClusterFile.Load(parse.GetValue(cluster)!);
            var options = new EmulatorOptions
            {
                Cluster = config,
                DataParallelSize = parse.GetValue(dataParallel),
                EnableExpertParallel = parse.GetValue(expertParallel),
                Engines = parse.GetValue(engines) ?? (parse.GetValue(dataParallel) > 1 || parse.GetValue(expertParallel) ? 1 : config.DataParallel),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                ServedModelName = parse.GetValue(model),
                TimeScale = parse.GetValue(timeScale),
                DefaultMaxTokens = parse.GetValue(defaultMaxTokens),
                Seed = parse.GetValue(seed),
                Failures = new FailureInjection(parse.GetValue(errorRate), parse.GetValue(crashAfter), parse.GetValue(slowStart), parse.GetValue(stallAfter)),
                Tokenizer = parse.GetValue(tokenizer) is { } file ? LoadTokenizer(file) : null,
                KvEvents = parse.GetValue(kvEvents) is { } json ? KvEventsConfig.Parse(json) : null,
                Catalogs = ExactExpertPlanners.Catalogs,
            };
            Validate(options);
            Emulator emulator;
            try
            {
                emulator = await Emulator.StartAsync(options, cancel: cancel);
            }
            catch (IOException e)
            {
                throw new CliUsageException($"--port {options.Port}: cannot listen ({e.Message}); pick free ports or stop what holds them.");
            }
            await using (emulator)
            {
                var layout = options.OwnLayout ? options.ServerCluster : config;
                var shape = $"DP{layout.DataParallel} TP{layout.TensorParallel}{(layout.ExpertParallel ? $" EP{layout.ExpertParallelSize}" : "")}";
                console.MarkupLineInterpolated($"[grey]{config.Name}: {config.Model.Name} on {config.Gpu.Name}, {(options.OwnLayout ? $"each server {shape}, its {options.Ranks} DP ranks {(layout.LockstepDataParallel ? "stepping in lockstep" : "each stepping alone")}" : $"each engine one DP engine of {shape}")}; time scale {options.TimeScale}[/]");
                for (var i = 0; i < options.Engines; i++)
                    console.MarkupLineInterpolated($"{(options.OwnLayout ? "server" : "engine")} {i}: {emulator.Urls[i]}  (model [bold]{options.ModelName}[/]{(options.OwnLayout ? $", DP ranks 0..{options.Ranks - 1}" : "")})");
                if (options.KvEvents is { } events)
                    console.MarkupLineInterpolated($"[grey]KV events: server i rank r publishes at {events.Endpoint} + i x {options.Ranks} + r{(events.ReplayEndpoint is { } replay ? $", replay at {replay} + the same" : "")} (vLLM's wire format)[/]");
                for (var i = 0; i < options.Engines; i++) _ = ReportCrash(console, emulator.Crashes[i], $"{(options.OwnLayout ? "server" : "engine")} {i}", options.Failures.CrashAfter);
                console.MarkupLine("[grey]serving; Ctrl+C stops[/]");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancel);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: stop the engines and exit normally.
                }
            }
            return 0;
        });
        return command;
    }

    private static async Task ReportCrash(IAnsiConsole console, Task crash, string server, int? after)
    {
        await crash;
        console.MarkupLineInterpolated($"[red]{server} crashed after {after} requests (--crash-after)[/]");
    }

    private static void Validate(EmulatorOptions o)
    {
        if (o.Engines < 1) throw new CliUsageException($"--engines {o.Engines}: start at least one engine.");
        if (o.LayoutError is { } layout) throw new CliUsageException(layout);
        if (o.Port is < 0 or > 65535 || o.Port + o.Engines - 1 > 65535)
            throw new CliUsageException($"--port {o.Port}: engines use ports {o.Port}..{o.Port + o.Engines - 1}, which must lie in 0..65535.");
        if (!(o.TimeScale > 0) || double.IsInfinity(o.TimeScale)) throw new CliUsageException($"--time-scale {o.TimeScale}: must be a positive, finite number (1 = real time).");
        if (o.DefaultMaxTokens < 1) throw new CliUsageException($"--default-max-tokens {o.DefaultMaxTokens}: must be at least 1.");
        if (o.Failures.ErrorRate is < 0 or > 1 || double.IsNaN(o.Failures.ErrorRate)) throw new CliUsageException($"--error-rate {o.Failures.ErrorRate}: must be a fraction between 0 and 1.");
        if (o.Failures.CrashAfter is < 0) throw new CliUsageException($"--crash-after {o.Failures.CrashAfter}: must be 0 or more requests.");
        if (o.Failures.SlowStartSeconds < 0 || !double.IsFinite(o.Failures.SlowStartSeconds)) throw new CliUsageException($"--slow-start {o.Failures.SlowStartSeconds}: must be 0 or more seconds.");
        if (o.Failures.StallAfterTokens is < 0) throw new CliUsageException($"--stall-after-tokens {o.Failures.StallAfterTokens}: must be 0 or more tokens.");
    }

    private static ModelTokenizer LoadTokenizer(FileInfo file)
    {
        try
        {
            return ModelTokenizer.Load(file.FullName);
        }
        catch (TokenizerFileException e)
        {
            throw new CliUsageException($"--tokenizer: {e.Message}");
        }
    }
}
