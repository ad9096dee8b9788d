using Strata.Experiments.Stacks;

namespace Strata.Experiments.Grids;

/// <summary>
/// Cells × stacks × seeds. <see cref="HeadlineCells"/> are the cells the first paper's headline
/// numbers average over (the five prompt shapes at 1.4 req/s on <c>gimbal-a100</c>);
/// <see cref="FollowUpCells"/> those of the follow-up's testbed (the five shapes on <c>gimbal-h100</c>
/// at 2, 3 and 4 req/s), empty in a grid without them. <see cref="LeftOut"/> says which cells the grid
/// would have had and why they are not run, so a report never silently covers less than its grid.
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
    public IReadOnlyList<ExperimentCell> FollowUpCells { get; init; } = [];

    /// <summary>The cells on the measured-kernel testbed (<c>rtxpro6000-dp2ep2</c>), whose numbers lead the report; empty in a grid without them.</summary>
    public IReadOnlyList<ExperimentCell> MeasuredCells { get; init; } = [];

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
