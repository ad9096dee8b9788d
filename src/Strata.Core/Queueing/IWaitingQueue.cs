using System.Diagnostics.CodeAnalysis;

namespace Strata.Core.Queueing;

/// <summary>
/// An engine's (or the gateway's) waiting queue, ordered by a <see cref="IQueuePolicy"/>.
/// The scheduler peeks the next request, tries to fit it in the step, and takes it only if it
/// fits — vLLM's head-of-line rule — so <see cref="TryPeek"/> must not change state that
/// <see cref="Take"/> does not commit.
/// </summary>
/// <typeparam name="T">The caller's own request object.</typeparam>
public interface IWaitingQueue<T>
{
    int Count { get; }

    /// <summary>Adds a newly arrived request.</summary>
    void Add(T item, in QueueEntry entry);

    /// <summary>Adds a request the engine preempted; vLLM puts these back at the front.</summary>
    void AddPreempted(T item, in QueueEntry entry);

    /// <summary>The request the policy would serve next at time <paramref name="now"/>.</summary>
    bool TryPeek(double now, [MaybeNullWhen(false)] out T item);

    /// <summary>Removes and returns the request the last <see cref="TryPeek"/> at <paramref name="now"/> returned.</summary>
    T Take(double now);

    /// <summary>Removes a specific request (aborted by its client); false if it is not queued.</summary>
    bool Remove(T item);
}
