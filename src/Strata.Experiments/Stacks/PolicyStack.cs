using Strata.Core.Policies;

namespace Strata.Experiments.Stacks;

/// <summary>The three layers' policies one system runs: request-level queue, engine-level dispatch, expert placement.</summary>
/// <param name="Name">Short id used in tables, file names and <c>--stacks</c>.</param>
/// <param name="Family">Which comparison it belongs to (baseline, Gimbal P1, P2, peer, Strata).</param>
/// <param name="Description">What it stands for, in one line.</param>
public sealed record PolicyStack(
    string Name,
    StackFamily Family,
    PolicyOptions Queue,
    PolicyOptions Dispatch,
    PolicyOptions Experts,
    string Description)
{
    public static PolicyStack Of(string name, StackFamily family, string queue, string dispatch, string experts, string description,
        IReadOnlyDictionary<string, string>? dispatchParameters = null, IReadOnlyDictionary<string, string>? queueParameters = null) =>
        new(name, family, new PolicyOptions(queue, queueParameters, section: "queue"), new PolicyOptions(dispatch, dispatchParameters, section: "dispatch"),
            new PolicyOptions(experts, section: "experts"), description);

    /// <summary>"queue + dispatch + experts", with parameters where a stack sets them.</summary>
    public string Layers => $"{Describe(Queue)} + {Describe(Dispatch)} + {Describe(Experts)}";

    private static string Describe(PolicyOptions options) => options.Keys.Any()
        ? $"{options.Name}({string.Join(", ", options.Keys.Select(k => $"{k}={options.GetString(k, "")}"))})"
        : options.Name;
}

/// <summary>The comparisons a report groups stacks into.</summary>
public enum StackFamily
{
    Baseline,
    GimbalP1,
    GimbalP2,
    Peer,
    Strata,
}
