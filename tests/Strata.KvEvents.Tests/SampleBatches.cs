namespace Strata.KvEvents.Tests;

/// <summary>Deterministic batches with every event kind and both hash forms, numbered so a test can tell them apart.</summary>
internal static class SampleBatches
{
    public static KvEventBatch Numbered(int n, int? rank = 0)
    {
        var bytesHash = EngineBlockHash.FromBytes([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + n))]);
        List<KvEvent> events =
        [
            new BlockStored([(ulong)n * 2 + 1, ulong.MaxValue - (ulong)n], n % 2 == 0 ? null : (ulong)n, [.. Enumerable.Range(n, 8)], 4,
                Medium: "GPU", GroupIdx: n % 3 == 0 ? 0 : null),
            new BlockStored([bytesHash], bytesHash, [n, n + 1, n + 2, n + 3], 4, LoraId: 3, Medium: "CPU", LoraName: "adapter"),
            new BlockRemoved([(ulong)n * 2 + 1, bytesHash], "GPU", n % 3 == 1 ? 1 : null),
        ];
        if (n % 4 == 3) events.Add(new AllBlocksCleared());
        return new KvEventBatch(1_700_000_000.25 + n, events, rank);
    }
}
