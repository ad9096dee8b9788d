using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Core.Admission;
using Strata.Core.Dispatch;
using Strata.Core.Dispatch.PrefixCache;
using Strata.Core.Policies;
using Strata.Core.Queueing;

namespace Strata.Core.Tests.Admission;

public sealed class AdmissionControllerTests
{
    private static AdmissionController<TestRequest> Controller(int engines, int maxInFlight, int maxQueue, string dispatch = "round-robin", bool panic = false, string queue = "fcfs") =>
        new(new AdmissionLimits(maxInFlight, maxQueue, panic), Policies.Policies.Queue.Create(new PolicyOptions(queue)).CreateQueue<TestRequest>(),
            Policies.Policies.Dispatch.Create(new PolicyOptions(dispatch)), new RouterView(engines, SignalFields.QueueDepth | SignalFields.KvUsage));

    /// <summary>One step of a random run: a request arrives, a running one finishes, or an engine's health flips.</summary>
    private enum Op { Arrive, Finish, Health }

    private static readonly Gen<(int Engines, int MaxInFlight, int MaxQueue, string Dispatch, (Op Op, int Pick)[] Ops)> RunGen =
        from engines in Gen.Choose(1, 4)
        from maxInFlight in Gen.Choose(1, 3)
        from maxQueue in Gen.Choose(0, 6)
        from dispatch in Gen.Elements("round-robin", "least-load", "vllm-dp", "llmd", "prefix-pressure")
        from ops in (from op in Gen.Frequency((5, Gen.Constant(Op.Arrive)), (4, Gen.Constant(Op.Finish)), (1, Gen.Constant(Op.Health)))
                     from pick in Gen.Choose(0, 1000)
                     select (op, pick)).ArrayOf()
        select (engines, maxInFlight, maxQueue, dispatch, ops);

    /// <summary>
    /// Over random arrivals, finishes and health changes: no engine ever runs more than max_in_flight of the stage's
    /// requests, none is placed on an unhealthy engine, the queue never exceeds max_length, it serves FCFS in arrival
    /// order, and it is work-conserving: a request waits only while every healthy engine is full.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Admission_respects_its_limits_and_is_work_conserving() =>
        Prop.ForAll(RunGen.ToArbitrary(), run =>
        {
            var (engines, maxInFlight, maxQueue, dispatch, ops) = run;
            var controller = Controller(engines, maxInFlight, maxQueue, dispatch);
            var running = new List<RoutedRequest>();
            var placedFromQueue = new List<long>();
            var queued = new List<long>();
            var now = 0.0;
            var id = 0L;
            foreach (var (op, pick) in ops)
            {
                now += 0.1;
                switch (op)
                {
                    case Op.Arrive:
                        var request = new TestRequest(id++, now, 16 + pick % 500, blocks: [(ulong)(pick % 3)]);
                        var admission = controller.Arrive(request, now);
                        if (admission.Routed is { } routed)
                        {
                            if (!controller.View[routed.Engine].Healthy) return false.Label("placed on an unhealthy engine");
                            running.Add(routed);
                        }
                        else if (admission.Queued) queued.Add(request.Id);
                        break;
                    case Op.Finish when running.Count > 0:
                        var done = running[pick % running.Count];
                        running.Remove(done);
                        controller.Finished(done);
                        break;
                    case Op.Health:
                        controller.View[pick % engines].Healthy = !controller.View[pick % engines].Healthy;
                        break;
                }
                while (controller.TryDispatchNext(now, out var next, out var placed))
                {
                    if (!controller.View[placed.Engine].Healthy) return false.Label("queue head placed on an unhealthy engine");
                    placedFromQueue.Add(next.Id);
                    running.Add(placed);
                }
                for (var e = 0; e < engines; e++)
                    if (controller.View[e].Outstanding > maxInFlight) return false.Label($"engine {e} runs {controller.View[e].Outstanding} > {maxInFlight}");
                if (controller.QueueLength > maxQueue) return false.Label("queue over max_length");
                var anyRoom = Enumerable.Range(0, engines).Any(e => controller.View[e].Healthy && controller.View[e].Outstanding < maxInFlight);
                if (controller.QueueLength > 0 && anyRoom) return false.Label("a request waits while a healthy engine has room");
            }
            return placedFromQueue.SequenceEqual(queued.Take(placedFromQueue.Count)).Label("queue served out of arrival order");
        });

    [Fact]
    public void A_request_goes_straight_to_an_engine_and_waits_only_when_all_are_full()
    {
        var controller = Controller(engines: 2, maxInFlight: 1, maxQueue: 1);

        var first = controller.Arrive(new TestRequest(0, 0), 0).Routed!;
        var second = controller.Arrive(new TestRequest(1, 0), 0).Routed!;
        var third = controller.Arrive(new TestRequest(2, 0), 0);
        var fourth = controller.Arrive(new TestRequest(3, 0), 0);

        Assert.NotEqual(first.Engine, second.Engine);
        Assert.True(third.Queued);
        Assert.Equal(AdmissionRejection.QueueFull, fourth.Rejection);
        Assert.False(controller.TryDispatchNext(0, out _, out _));
        controller.Finished(second);
        Assert.True(controller.TryDispatchNext(1, out var next, out var placed));
        Assert.Equal(2, next.Id);
        Assert.Equal(second.Engine, placed.Engine);
    }

    [Fact]
    public void With_every_engine_out_of_the_pool_panic_mode_uses_them_all_and_otherwise_none()
    {
        foreach (var panic in new[] { false, true })
        {
            var controller = Controller(engines: 2, maxInFlight: 4, maxQueue: 10, panic: panic);
            controller.View[0].Healthy = controller.View[1].Healthy = false;

            var admission = controller.Arrive(new TestRequest(0, 0), 0);

            if (panic) Assert.NotNull(admission.Routed);
            else Assert.Equal(AdmissionRejection.NoBackend, admission.Rejection);
        }
    }

    [Fact]
    public void A_request_every_engine_failed_is_refused_as_such_and_a_retry_avoids_the_engine_that_failed_it()
    {
        var controller = Controller(engines: 2, maxInFlight: 4, maxQueue: 10);
        var request = new TestRequest(0, 0);

        var first = controller.Arrive(request, 0).Routed!;
        controller.Abandoned(request, first);
        request.Failed.Add(controller.View[first.Engine]);
        var retry = controller.Arrive(request, 0).Routed!;
        controller.Abandoned(request, retry);
        request.Failed.Add(controller.View[retry.Engine]);

        Assert.NotEqual(first.Engine, retry.Engine);
        Assert.Equal(AdmissionRejection.EveryBackendFailed, controller.Arrive(request, 0).Rejection);
    }

    [Fact]
    public void A_tenant_fills_only_its_share_of_the_queue()
    {
        var controller = Controller(engines: 1, maxInFlight: 1, maxQueue: 4);
        controller.Arrive(new TestRequest(0, 0), 0);

        Assert.True(controller.Arrive(new TestRequest(1, 0, tenant: "a", queueShare: 0.5), 0).Queued);
        Assert.True(controller.Arrive(new TestRequest(2, 0, tenant: "a", queueShare: 0.5), 0).Queued);
        Assert.Equal(AdmissionRejection.QueueShareFull, controller.Arrive(new TestRequest(3, 0, tenant: "a", queueShare: 0.5), 0).Rejection);
        Assert.True(controller.Arrive(new TestRequest(4, 0, tenant: "b", queueShare: 0.5), 0).Queued);
    }

    /// <summary>
    /// A request an engine failed before serving it, retried on another, is recorded in the approximate prefix index
    /// only where it ran: a repeat of the prompt then goes there, not to the engine that failed it.
    /// </summary>
    [Fact]
    public void A_retried_request_is_recorded_only_where_it_ran()
    {
        var controller = Controller(engines: 3, maxInFlight: 8, maxQueue: 10, dispatch: "llmd");
        var index = ((IPrefixAwareSelector)controller.Selector).Affinity.Index;
        ulong[] prompt = [11, 12, 13, 14];
        var request = new TestRequest(0, 0, 64, blocks: prompt);

        var failed = controller.Arrive(request, 0).Routed!;
        controller.Abandoned(request, failed);
        request.Failed.Add(controller.View[failed.Engine]);
        var ran = controller.Arrive(request, 0).Routed!;

        Assert.All(prompt, block => Assert.False(index.Contains(failed.Engine, block)));
        Assert.All(prompt, block => Assert.True(index.Contains(ran.Engine, block)));
        Assert.Equal(ran.Engine, controller.Arrive(new TestRequest(1, 1, 64, blocks: prompt), 1).Routed!.Engine);
    }
}
