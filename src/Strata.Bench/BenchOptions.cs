namespace Strata.Bench;

/// <summary>What <c>strata bench</c> sends, where, and how fast: <c>vllm bench serve</c>'s knobs under its names.</summary>
public sealed record BenchOptions
{
    /// <summary>Base URL of the OpenAI-compatible server (an engine, or a gateway in front of engines).</summary>
    public required Uri Url { get; init; }

    public required string Model { get; init; }

    /// <summary><c>/v1/completions</c> (vLLM's default backend) or <c>/v1/chat/completions</c>.</summary>
    public string Endpoint { get; init; } = BenchEndpoints.Completions;

    /// <summary>Requests per second; infinity sends everything at once (vLLM's default).</summary>
    public double RequestRate { get; init; } = double.PositiveInfinity;

    public double Burstiness { get; init; } = 1.0;

    /// <summary>Most requests in flight at once; later arrivals wait for a slot (vLLM's semaphore). Null: no cap.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>The workload preset or trace the requests came from, for the result file.</summary>
    public string Workload { get; init; } = "random";

    public int Seed { get; init; }

    public bool IsChat => Endpoint == BenchEndpoints.Chat;
}

/// <summary>The two endpoints a bench run can drive.</summary>
public static class BenchEndpoints
{
    public const string Completions = "/v1/completions";
    public const string Chat = "/v1/chat/completions";
}
