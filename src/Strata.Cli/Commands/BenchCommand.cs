using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Strata.Cli.Output;
using Strata.Bench;
using Strata.Simulation.Metrics;
using Strata.Simulation.Workloads;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata bench</c>: a load client for any OpenAI-compatible server with <c>vllm bench serve</c>'s
/// arrivals, metric definitions, console summary and result JSON; requests come from Strata's
/// workload presets or traces.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var url = new Option<string>("--url") { Description = "Base URL of the server, e.g. http://127.0.0.1:8000.", Required = true };
        var model = new Option<string>("--model") { Description = "Model name to send.", Required = true };
        var workload = new Option<string>("--workload") { Description = "Workload preset (random, central, descending, two-end, average, chat) or trace file.", DefaultValueFactory = _ => "random" };
        var rate = new Option<string>("--rate") { Description = "Requests per second, or inf to send all at once (vllm bench serve's --request-rate).", DefaultValueFactory = _ => "inf" };
        var burstiness = new Option<double>("--burstiness") { Description = "Gamma shape of the arrivals: 1 = Poisson, <1 burstier.", DefaultValueFactory = _ => 1.0 };
        var maxConcurrency = new Option<int?>("--max-concurrency") { Description = "Most requests in flight; later arrivals wait for a slot." };
        var requests = new Option<int>("--requests") { Description = "Number of requests (vllm bench serve's --num-prompts); a trace is cut to it.", DefaultValueFactory = _ => WorkloadCatalog.DefaultRequests };
        var seed = new Option<int>("--seed") { Description = "Seed of the workload's lengths, arrivals and prompt text.", DefaultValueFactory = _ => 0 };
        var endpoint = new Option<string>("--endpoint") { Description = "/v1/completions or /v1/chat/completions.", DefaultValueFactory = _ => BenchEndpoints.Completions };
        var goodput = new Option<string?>("--goodput") { Description = "SLOs in ms for goodput, e.g. ttft:2000,tpot:100." };
        var saveResult = new Option<FileInfo?>("--save-result") { Description = "Write the result JSON (vllm bench serve field names) here." };
        var command = new Command("bench", "Load an OpenAI-compatible server like vllm bench serve and report TTFT, TPOT, ITL and E2EL.")
        {
            url, model, workload, rate, burstiness, maxConcurrency, requests, seed, endpoint, goodput, saveResult,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var options = new BenchOptions
            {
                Url = ParseUrl(parse.GetValue(url)!),
                Model = parse.GetValue(model)!,
                Endpoint = parse.GetValue(endpoint)!,
                RequestRate = ParseRate(parse.GetValue(rate)!),
                Burstiness = parse.GetValue(burstiness),
                MaxConcurrency = parse.GetValue(maxConcurrency),
                Workload = parse.GetValue(workload)!,
                Seed = parse.GetValue(seed),
            };
            if (options.Endpoint is not (BenchEndpoints.Completions or BenchEndpoints.Chat))
                throw new CliUsageException($"--endpoint {options.Endpoint}: use {BenchEndpoints.Completions} or {BenchEndpoints.Chat}.");
            if (options.MaxConcurrency is < 1) throw new CliUsageException($"--max-concurrency {options.MaxConcurrency}: must be at least 1.");
            var slo = parse.GetValue(goodput) is { } text ? Goodput(text) : ServiceLevelObjectives.None;
            var work = BenchWorkload.Open(options.Workload, options.RequestRate, options.Burstiness, parse.GetValue(requests), options.Seed);

            console.MarkupLineInterpolated($"[grey]{work.Count} requests from {options.Workload} to {new Uri(options.Url, options.Endpoint)} at {Describe(options)}[/]");
            BenchResult? result = null;
            await console.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var task = progress.AddTask("requests", maxValue: work.Count);
                result = await BenchRunner.RunAsync(options, work, slo, _ => task.Increment(1), cancel);
            });
            var table = SummaryTable.Serving($"{options.Workload} → {options.Model}", result!.Metrics);
            table.AddRow("Peak output token throughput (tok/s)", result.MaxOutputTokensPerSecond.ToString("F2", CultureInfo.InvariantCulture));
            table.AddRow("Peak concurrent requests", result.MaxConcurrentRequests.ToString(CultureInfo.InvariantCulture));
            console.Write(table);
            foreach (var (error, count) in result.Errors.CountBy(e => e).Take(5))
                console.MarkupLineInterpolated($"[red]{count}× {error}[/]");
            if (parse.GetValue(saveResult) is { } file)
            {
                file.Directory?.Create();
                using var stream = file.Create();
                BenchResultJson.Write(result, stream);
            }
            return result.Metrics.Completed > 0 ? 0 : 1;
        });
        return command;
    }

    private static ServiceLevelObjectives Goodput(string text)
    {
        try
        {
            return ServiceLevelObjectives.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliUsageException(e.Message.Replace("--slo:", "--goodput:"));
        }
    }

    private static Uri ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliUsageException($"--url {text}: give an absolute http(s) URL such as http://127.0.0.1:8000.");

    private static double ParseRate(string text)
    {
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase)) return double.PositiveInfinity;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate)) return rate;
        throw new CliUsageException($"--rate {text}: give requests per second (a positive number) or inf.");
    }

    private static string Describe(BenchOptions o) =>
        (double.IsPositiveInfinity(o.RequestRate) ? "once (rate inf)" : $"{o.RequestRate} req/s, burstiness {o.Burstiness}") +
        (o.MaxConcurrency is { } cap ? $", at most {cap} in flight" : "");
}
