using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;

namespace Strata.Core.Tests.Dispatch;

public class DispatchPropertyTests
{
    private static readonly Gen<EngineView> ViewGen =
        from waiting in Gen.Choose(0, 40)
        from running in Gen.Choose(0, 40)
        from kv in Gen.Choose(0, 100)
        from waitingPrefill in Gen.Choose(0, 20_000)
        from runningPrefill in Gen.Choose(0, 5_000)
        from inFlight in Gen.Choose(0, 3)
        from expert in Gen.Choose(0, 20)
        from healthy in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from age in Gen.Choose(0, 20)
        select new EngineView(0, waiting, running, kv / 100.0, waitingPrefill, runningPrefill, waitingPrefill + runningPrefill,
            InFlight: inFlight, InFlightPrefillTokens: 500 * inFlight, ExpertPressure: expert / 10.0, Healthy: healthy, SignalAge: age);

    private static readonly Gen<DispatchRequest> RequestGen =
        from user in Gen.Elements<string?>(null, "u1", "u2", "u3")
        from session in Gen.Elements<string?>(null, "s1", "s2")
        from blocks in Gen.Choose(0, 3).Select(h => (ulong)h).ArrayOf()
        select new DispatchRequest(1, 16 * blocks.Length + 5, User: user, Session: session, BlockHashes: blocks);

    private static readonly Gen<(EngineView[] Engines, DispatchRequest Request)[]> RoundsGen =
        (from engines in Gen.Choose(1, 6).SelectMany(n => ViewGen.ArrayOf(n))
         from request in RequestGen
         select (engines.Select((e, i) => e with { Index = i }).ToArray(), request)).ArrayOf();

    [Property(MaxTest = 60)]
    public Property No_policy_ever_picks_an_unhealthy_engine() =>
        Prop.ForAll(RoundsGen.ToArbitrary(), rounds => Policies.Policies.Dispatch.Names.All(name =>
        {
            var selector = Policies.Policies.Dispatch.Create(new PolicyOptions(name));
            var now = 0.0;
            foreach (var (engines, request) in rounds)
            {
                var chosen = selector.Route(request, engines, now += 1);
                var ok = engines.Any(e => e.Healthy) ? chosen >= 0 && chosen < engines.Length && engines[chosen].Healthy : chosen == -1;
                if (!ok) return false;
            }
            return true;
        }));

    [Property(MaxTest = 50)]
    public Property Round_robin_policies_visit_every_engine_when_all_are_equal() =>
        Prop.ForAll(Gen.Choose(1, 12).ToArbitrary(), ViewGen.ToArbitrary(), (n, template) =>
        {
            var engines = Enumerable.Range(0, n).Select(i => template with { Index = i, Healthy = true, KvUsage = 0.3, SignalAge = 0 }).ToArray();
            string[] rotating = ["round-robin", "gimbal", "gimbal-pressure", "prefix-pressure"];
            return rotating.Select(name => Policies.Policies.Dispatch.Create(new PolicyOptions(name)))
                .Append(new VllmDataParallelSelector(VllmDataParallelRule.Current))
                .All(selector => Enumerable.Range(0, n).Select(_ => selector.Route(default, engines, 0)).Distinct().Count() == n);
        });

    [Property(MaxTest = 100)]
    public Property Affinity_policies_prefer_the_engine_holding_the_longest_prefix_when_loads_are_equal() =>
        Prop.ForAll(
            (from n in Gen.Choose(2, 8) from promptBlocks in Gen.Choose(1, 12) from salt in Gen.Choose(0, 1000) from template in ViewGen
             select (n, promptBlocks, salt, template)).ToArbitrary(),
            c =>
            {
                var (n, promptBlocks, salt, template) = c;
                var prompt = Enumerable.Range(0, promptBlocks).Select(b => (ulong)(salt * 100 + b)).ToArray();
                var holder = salt % n;
                var engines = Enumerable.Range(0, n).Select(i => template with { Index = i, Healthy = true, KvUsage = 0.3 }).ToArray();
                var request = new DispatchRequest(1, promptBlocks * 16, BlockHashes: prompt);
                return new[] { "llmd", "sglang-cache-aware", "dynamo-kv", "prefix-pressure" }.SelectMany(name => new[] { "approximate", "precise" }.Select(mode =>
                {
                    var selector = (IPrefixAwareSelector)Policies.Policies.Dispatch.Create(
                        new PolicyOptions(name, new Dictionary<string, string> { ["prefix_mode"] = mode }));
                    for (var e = 0; e < n; e++)
                    {
                        var held = prompt.AsSpan(0, e == holder ? promptBlocks : (e * 7 + salt) % promptBlocks);
                        if (mode == "precise") selector.Affinity.OnBlocksStored(e, held);
                        else selector.Affinity.Index.Record(e, held);
                    }
                    return selector.Route(request, engines, 0) == holder;
                })).All(ok => ok);
            });

    /// <summary>
    /// Policies read; hooks write: asking a policy again (a retry, a request no engine could take yet)
    /// changes nothing, so a sequence of routes is the same whether or not Select was called in between,
    /// and Select answers what the route then commits.
    /// </summary>
    [Property(MaxTest = 60)]
    public Property Select_is_side_effect_free_for_every_policy() =>
        Prop.ForAll(RoundsGen.ToArbitrary(), Gen.Choose(1, 3).ToArbitrary(), (rounds, extraAsks) => Policies.Policies.Dispatch.Names.All(name =>
        {
            var routed = Policies.Policies.Dispatch.Create(new PolicyOptions(name));
            var asked = Policies.Policies.Dispatch.Create(new PolicyOptions(name));
            var now = 0.0;
            foreach (var (engines, request) in rounds)
            {
                now += 1;
                var answers = Enumerable.Range(0, extraAsks).Select(_ => asked.Select(request, engines, now)).Distinct().ToArray();
                var committed = asked.Route(request, engines, now);
                if (answers.Length != 1 || answers[0] != committed || routed.Route(request, engines, now) != committed) return false;
            }
            return true;
        }));
}
