namespace Strata.KvEvents;

/// <summary>The engine dropped its whole prefix cache (vLLM's <c>AllBlocksCleared</c>, e.g. on <c>reset_prefix_cache</c>).</summary>
public sealed record AllBlocksCleared : KvEvent;
