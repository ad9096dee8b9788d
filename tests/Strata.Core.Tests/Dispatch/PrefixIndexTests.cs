using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Dispatch;
using Strata.Core.Policies;

namespace Strata.Core.Tests.Dispatch;

public class PrefixIndexTests
{
    [Property(MaxTest = 200)]
    public Property Lru_never_exceeds_capacity_and_matches_a_reference_model()
    {
        var gen =
            from capacity in Gen.Choose(1, 12)
            from ops in Gen.ListOf(Gen.ArrayOf(Gen.Choose(0, 20).Select(x => (ulong)x), 1).Zip(Gen.Choose(0, 1)))
            select (capacity, ops);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var index = new PrefixIndex(1, c.capacity);
            var reference = new List<ulong>(); // least recent first
            foreach (var (hashes, forget) in c.ops)
            {
                if (forget == 1)
                {
                    index.Forget(0, hashes);
                    foreach (var h in hashes) reference.Remove(h);
                }
                else
                {
                    index.Record(0, hashes);
                    foreach (var h in hashes)
                    {
                        reference.Remove(h);
                        if (reference.Count == c.capacity) reference.RemoveAt(0);
                        reference.Add(h);
                    }
                }
                if (index.Count(0) > c.capacity || index.Count(0) != reference.Count) return false;
            }
            var probe = Enumerable.Range(0, 21).Select(x => (ulong)x).ToArray();
            var expected = probe.TakeWhile(reference.Contains).Count();
            return index.MatchBlocks(0, probe) == expected;
        });
    }

    [Fact]
    public void Llmd_follows_the_prefix_when_loads_are_equal_and_the_queue_when_they_are_not()
    {
        var llmd = Policies.Policies.Dispatch.Create(new PolicyOptions("llmd", section: "dispatch"));
        EngineView[] engines = [new(0, 0, 0, 0.2, 0, 0, 0), new(1, 0, 0, 0.2, 0, 0, 0)];
        ulong[] conversation = [11, 12, 13, 14];
        var first = llmd.Select(new DispatchRequest(1, 64, BlockHashes: conversation), engines, 0);
        Assert.Equal(0, first);
        // The same prefix again: +3 for the engine that holds all of it.
        EngineView[] busierHolder = [new(0, 0, 0, 0.25, 0, 0, 0), new(1, 0, 0, 0.2, 0, 0, 0)];
        Assert.Equal(0, llmd.Select(new DispatchRequest(2, 80, BlockHashes: new ulong[] { 11, 12, 13, 14, 15 }), busierHolder, 1));
        // A long queue on the holder outweighs a partial match.
        EngineView[] queued = [new(0, 6, 0, 0.25, 0, 0, 0), new(1, 0, 0, 0.2, 0, 0, 0)];
        Assert.Equal(1, llmd.Select(new DispatchRequest(3, 64, BlockHashes: new ulong[] { 11, 99, 98, 97 }), queued, 2));
    }
}
