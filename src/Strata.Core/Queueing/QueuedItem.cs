namespace Strata.Core.Queueing;

/// <summary>A request inside a heap-based queue; lazy deletion marks it instead of searching the heap.</summary>
internal sealed class QueuedItem<T>(T item, QueueEntry facts)
{
    public T Item { get; } = item;
    public QueueEntry Facts { get; } = facts;
    public bool Gone { get; set; }
    public bool Aged { get; set; }
}
