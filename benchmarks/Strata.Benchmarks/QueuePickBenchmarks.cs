using BenchmarkDotNet.Attributes;
using Strata.Core.Policies;
using Strata.Core.Queueing;

namespace Strata.Benchmarks;

/// <summary>
/// A pick among 10,000 waiting requests (issue #3: under 5 µs amortised): peek, take, and one
/// new arrival so the queue stays at 10,000. The clock advances 1 ms per pick so aging policies age.
/// </summary>
[MemoryDiagnoser]
public class QueuePickBenchmarks
{
    private const int Waiting = 10_000;
    private IWaitingQueue<long> _queue = null!;
    private Random _random = null!;
    private long _next;
    private double _now;

    [Params("fcfs", "priority", "sjf-aging", "sjf-continuous", "wspt", "fair", "sjf")]
    public string Policy { get; set; } = "fcfs";

    [GlobalSetup]
    public void Setup()
    {
        _queue = Policies.Queue.Create(new PolicyOptions(Policy)).CreateQueue<long>();
        _random = new Random(1);
        for (_next = 0; _next < Waiting; _next++) Arrive();
    }

    [Benchmark]
    public long PeekTakeArrive()
    {
        _now += 0.001;
        _queue.TryPeek(_now, out _);
        var taken = _queue.Take(_now);
        Arrive();
        _next++;
        return taken;
    }

    private void Arrive() => _queue.Add(_next, new QueueEntry(_next, _now, _random.Next(1, 10_000), _random.Next(0, 500), _random.Next(-1, 2), "t" + (_next % 4)));
}
