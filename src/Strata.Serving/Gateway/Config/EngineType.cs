namespace Strata.Serving.Gateway.Config;

/// <summary>Which engine serves a model's backends; it decides which Prometheus names carry the load signals.</summary>
public enum EngineType
{
    Vllm,
    Sglang,
}
