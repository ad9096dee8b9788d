using Strata.Core.Policies;

namespace Strata.Experiments.Stacks;

/// <summary>The three layers' policies one system runs: request-level queue, engine-level dispatch, expert placement.</summary>
/// <param name="Name">Short id used in tables, file names and <c>--stacks</c>.</param>
/// <param name="Description">What it stands for, in one line.</param>
public sealed record PolicyStack(
    string Name,
    PolicyOptions Queue,
    PolicyOptions Dispatch,
    PolicyOptions Experts,
    string Description)
{
    /// <summary>
    /// Behind <c>strata serve</c>'s admission stage with this <c>max_in_flight</c> per engine (<c>--gateway</c>): the
    /// queue policy orders the gateway's queue; null: straight to the engines, the queue policy inside each.
    /// </summary>
    public int? Gateway { get; init; }

    public static PolicyStack Of(string name, string queue, string dispatch, string experts, string description,
        IReadOnlyDictionary<string, string>? dispatchParameters = null, IReadOnlyDictionary<string, string>? queueParameters = null) =>
        new(name, new PolicyOptions(queue, queueParameters, section: "queue"), new PolicyOptions(dispatch, dispatchParameters, section: "dispatch"),
            new PolicyOptions(experts, section: "experts"), description);

    /// <summary>"queue + dispatch + experts", with parameters where a stack sets them.</summary>
    public string Layers => (Gateway is { } n ? $"gateway(max_in_flight={n}): " : "") + $"{Describe(Queue)} + {Describe(Dispatch)} + {Describe(Experts)}";

    private static string Describe(PolicyOptions options) => options.Keys.Any()
        ? $"{options.Name}({string.Join(", ", options.Keys.Select(k => $"{k}={options.GetString(k, "")}"))})"
        : options.Name;
}
