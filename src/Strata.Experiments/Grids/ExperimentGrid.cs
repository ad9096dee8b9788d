using Strata.Experiments.Stacks;

namespace Strata.Experiments.Grids;

/// <summary>
/// Cells × stacks × seeds. <see cref="HeadlineCells"/> are the cells the first paper's headline
/// numbers average over (the five prompt shapes at 1.4 req/s on <c>gimbal-a100-fitted</c>, the paper's load);
/// <see cref="Sections"/> are the testbeds the report and the terminal average into one table each, the measured
/// testbed first. <see cref="LeftOut"/> says which cells the grid would have had and why they are not run, so a
/// report never silently covers less than its grid.
/// </summary>
public sealed record ExperimentGrid(
    string Name,
    IReadOnlyList<ExperimentCell> Cells,
    IReadOnlyList<PolicyStack> Stacks,
    IReadOnlyList<int> Seeds,
    int Requests,
    IReadOnlyList<ExperimentCell> HeadlineCells,
    IReadOnlyList<string> Notes)
{
    /// <summary>The testbeds whose changes are averaged into one table each, in the order the report shows them.</summary>
    public IReadOnlyList<GridSection> Sections { get; init; } = [];

    /// <summary>Cells of this grid that are not run, each with the reason and the fix.</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    public IEnumerable<ExperimentRun> Runs() =>
        from cell in Cells
        from seed in Seeds
        from stack in Stacks
        select new ExperimentRun(cell, stack, seed, Requests);

    public int RunCount => Cells.Count * Stacks.Count * Seeds.Count;

    /// <summary>The same grid with only the named stacks (the baseline always stays: every number is relative to it).</summary>
    public ExperimentGrid WithStacks(IReadOnlyCollection<string> names)
    {
        var chosen = names.Select(name => Stacks.FirstOrDefault(s => s.Name == name) ?? PolicyStacks.Find(name)).ToList();
        if (chosen.All(s => s.Name != PolicyStacks.BaselineName)) chosen.Insert(0, PolicyStacks.Baseline);
        return this with { Stacks = chosen };
    }

    /// <summary>
    /// Every stack but the vLLM baseline runs behind <c>strata serve</c>'s admission stage with
    /// <paramref name="maxInFlight"/> requests per engine, so the grid measures what the gateway would serve; the
    /// baseline stays vLLM as it runs alone.
    /// </summary>
    public ExperimentGrid BehindGateway(int maxInFlight) =>
        this with { Stacks = Stacks.Select(s => s.Name == PolicyStacks.BaselineName ? s : s with { Gateway = maxInFlight }).ToArray() };

    public ExperimentGrid WithSeeds(int seeds) => this with { Seeds = Enumerable.Range(0, seeds).ToArray() };

    public ExperimentGrid WithRequests(int requests) => this with { Requests = requests };
}
