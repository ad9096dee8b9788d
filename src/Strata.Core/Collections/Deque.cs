namespace Strata.Core.Collections;

/// <summary>A growable ring buffer with O(1) push and pop at both ends.</summary>
public sealed class Deque<T>
{
    private T[] _items = new T[16];
    private int _head;

    public int Count { get; private set; }

    public T this[int index] => _items[(_head + index) & (_items.Length - 1)];

    public void AddLast(T item)
    {
        if (Count == _items.Length) Grow();
        _items[(_head + Count) & (_items.Length - 1)] = item;
        Count++;
    }

    public void AddFirst(T item)
    {
        if (Count == _items.Length) Grow();
        _head = (_head - 1) & (_items.Length - 1);
        _items[_head] = item;
        Count++;
    }

    public T PeekFirst() => Count > 0 ? _items[_head] : throw new InvalidOperationException("The deque is empty.");

    public T RemoveFirst()
    {
        var item = PeekFirst();
        _items[_head] = default!;
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return item;
    }

    /// <summary>Removes the first element equal to <paramref name="item"/>; O(n).</summary>
    public bool Remove(T item)
    {
        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < Count; i++)
        {
            if (!comparer.Equals(this[i], item)) continue;
            for (var j = i; j < Count - 1; j++)
                _items[(_head + j) & (_items.Length - 1)] = this[j + 1];
            _items[(_head + Count - 1) & (_items.Length - 1)] = default!;
            Count--;
            return true;
        }
        return false;
    }

    private void Grow()
    {
        var larger = new T[_items.Length * 2];
        for (var i = 0; i < Count; i++) larger[i] = this[i];
        _items = larger;
        _head = 0;
    }
}
