using Strata.Core.Queueing;

namespace Strata.Core.Tests.Queueing;

public class FirstComeFirstServedTests
{
    [Fact]
    public void Serves_in_arrival_order_and_preempted_first()
    {
        var queue = new FirstComeFirstServed().CreateQueue<string>();
        queue.Add("a", new QueueEntry(1, 0.0, 100));
        queue.Add("b", new QueueEntry(2, 0.1, 10));
        queue.AddPreempted("p", new QueueEntry(0, 0.0, 500));

        Assert.True(queue.TryPeek(1.0, out var first));
        Assert.Equal("p", first);
        Assert.Equal(["p", "a", "b"], [queue.Take(1.0), queue.Take(1.0), queue.Take(1.0)]);
        Assert.False(queue.TryPeek(1.0, out _));
    }

    [Fact]
    public void Remove_takes_out_an_aborted_request()
    {
        var queue = new FirstComeFirstServed().CreateQueue<string>();
        foreach (var (name, id) in new[] { ("a", 1L), ("b", 2L), ("c", 3L) }) queue.Add(name, new QueueEntry(id, id, 1));
        Assert.True(queue.Remove("b"));
        Assert.False(queue.Remove("b"));
        Assert.Equal(["a", "c"], [queue.Take(0), queue.Take(0)]);
    }
}
