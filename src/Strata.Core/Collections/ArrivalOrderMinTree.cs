namespace Strata.Core.Collections;

/// <summary>
/// Items in arrival order with a segment tree of their minimum key, for walking the "records" —
/// the items whose key is below every earlier item's — in O(log n) each. Arrivals are expected in
/// order (appended); an earlier one is slotted in place at O(n). Removed slots are blanked and
/// reclaimed when the array is compacted, so the tree never holds more than twice the live items.
/// </summary>
internal sealed class ArrivalOrderMinTree<T>(Func<T, int> key, Func<T, T, bool> earlier) where T : class
{
    private const int Empty = int.MaxValue;

    private T?[] _slots = new T?[64];
    private int[] _min = Filled(128);
    private readonly Dictionary<T, int> _slotOf = new(ReferenceEqualityComparer.Instance);
    private int _used;
    private T? _newest;

    public int Count => _slotOf.Count;

    /// <summary>The smallest key of all items (<see cref="int.MaxValue"/> when empty).</summary>
    public int MinKey => _min[1];

    public void Add(T item)
    {
        if (_used == _slots.Length) Rebuild(_slotOf.Count * 2 >= _slots.Length ? _slots.Length * 2 : _slots.Length);
        if (_newest is not null && earlier(item, _newest))
        {
            // Out of order: rebuild with the item in its place.
            var items = Live().Append(item).Order(Comparer<T>.Create((a, b) => earlier(a, b) ? -1 : earlier(b, a) ? 1 : 0)).ToArray();
            Rebuild(_slots.Length, items);
            return;
        }
        Place(_used++, item);
        _newest = item;
    }

    public void Remove(T item)
    {
        if (!_slotOf.Remove(item, out var slot)) throw new InvalidOperationException("The item is not in the tree.");
        _slots[slot] = null;
        Set(slot, Empty);
    }

    /// <summary>
    /// The next "record" after <paramref name="previous"/> (null: start from the earliest) — the
    /// next item whose key is strictly below every earlier item's — or null after the last.
    /// </summary>
    public T? NextRecord(T? previous)
    {
        var (after, limit) = previous is null ? (-1, Empty) : (_slotOf[previous], key(previous));
        var slot = FirstBelow(1, 0, _slots.Length, after, limit);
        return slot < 0 ? null : _slots[slot];
    }

    /// <summary>The first slot after <paramref name="after"/> whose key is below <paramref name="limit"/>, or −1.</summary>
    private int FirstBelow(int node, int low, int high, int after, int limit)
    {
        if (high <= after + 1 || low >= _used || _min[node] >= limit) return -1;
        if (high - low == 1) return low;
        var middle = (low + high) / 2;
        var found = FirstBelow(2 * node, low, middle, after, limit);
        return found >= 0 ? found : FirstBelow(2 * node + 1, middle, high, after, limit);
    }

    private IEnumerable<T> Live() => _slots.Take(_used).Where(s => s is not null)!;

    private void Rebuild(int capacity) => Rebuild(capacity, Live().ToArray());

    private void Rebuild(int capacity, T[] items)
    {
        while (capacity < items.Length * 2) capacity *= 2;
        _slots = new T?[capacity];
        _min = Filled(2 * capacity);
        _slotOf.Clear();
        _used = 0;
        foreach (var item in items) Place(_used++, item);
    }

    private void Place(int slot, T item)
    {
        _slots[slot] = item;
        _slotOf[item] = slot;
        Set(slot, key(item));
    }

    private void Set(int slot, int value)
    {
        var node = slot + _slots.Length;
        _min[node] = value;
        for (node /= 2; node >= 1; node /= 2) _min[node] = Math.Min(_min[2 * node], _min[2 * node + 1]);
    }

    private static int[] Filled(int length)
    {
        var array = new int[length];
        Array.Fill(array, Empty);
        return array;
    }
}
