using Strata.Engine.Cost;

namespace Strata.Engine.Tests.Cost;

/// <summary>The attention grid where the profile left holes: weights renormalised over the measured corners, else the nearest point.</summary>
public class AttentionGridTests
{
    /// <summary>Four points on the diagonal of a 4 × 4 × 4 × 4 grid: most cells have no measured corner.</summary>
    private static readonly AttentionGrid Diagonal = new(Enumerable.Range(0, 4).Select(i => ((double)i, (double)i, (double)i, (double)i, 10.0 + i)));

    [Fact]
    public void A_cell_with_no_measured_corner_takes_the_nearest_point_in_grid_steps()
    {
        // The cell at (2, 0, 0, 0): grid-step distances 2 to (0,0,0,0), 4 to (1,1,1,1), 6 and 10 to the others.
        Assert.Equal(10.0, Diagonal[2.5, 0.5, 0.5, 0.5]);
        // From the cell at (0, 0, 2, 3), (0,0,0,0), (1,1,1,1) and (2,2,2,2) are all 5 steps away: the first in grid order wins.
        Assert.Equal(10.0, Diagonal[0.5, 0.5, 2.5, 3]);
    }

    [Fact]
    public void Weights_are_renormalised_over_the_measured_corners()
    {
        // Between (1,1,1,1) and (2,2,2,2) halfway on every axis: only those two of the 16 corners are measured,
        // each with weight 1/16, so the value is their mean.
        Assert.Equal(11.5, Diagonal[1.5, 1.5, 1.5, 1.5], 12);
    }
}
