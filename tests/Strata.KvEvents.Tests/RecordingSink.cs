using System.Collections.Concurrent;

namespace Strata.KvEvents.Tests;

/// <summary>Keeps what a subscriber delivers, in order, for assertions on the test thread.</summary>
internal sealed class RecordingSink : IKvEventBatchSink
{
    private readonly ConcurrentQueue<(int Engine, KvEventBatch? Batch)> _deliveries = new();

    /// <summary>Batches applied, in order.</summary>
    public IReadOnlyList<KvEventBatch> Batches => [.. _deliveries.Where(d => d.Batch is not null).Select(d => d.Batch!)];

    public int Resets => _deliveries.Count(d => d.Batch is null);

    public IReadOnlyList<int> Engines => [.. _deliveries.Select(d => d.Engine).Distinct()];

    public void Apply(int engine, KvEventBatch batch) => _deliveries.Enqueue((engine, batch));

    public void Reset(int engine) => _deliveries.Enqueue((engine, null));
}
