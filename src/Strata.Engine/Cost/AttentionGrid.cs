using System.Runtime.CompilerServices;
namespace Strata.Engine.Cost;

/// <summary>
/// One attention layer's measured time over (prefill chunk, prefill KV, decodes, decode KV).
/// The profile's points lie on per-axis grids but do not fill the whole 4-D grid, and a mixed
/// batch is not the sum of its prefill and decode parts (the varlen kernel runs decodes slower
/// next to a prefill), so values come from multilinear interpolation over the 16 surrounding
/// grid corners that were measured, weights renormalised over the
/// corners present. Exact at measured points. Linear on every axis (attention is a launch plus a
/// cost linear in chunk, decodes and KV; see <see cref="Curve"/> for why not log space). Past the
/// largest KV length time grows in proportion to KV; other axes are clamped to the grid.
/// </summary>
public sealed class AttentionGrid
{
    private readonly double[][] _axes = new double[4][];

    /// <summary>Every cell of the full 4-D grid, row-major over the axes; NaN where the profile measured nothing.</summary>
    private readonly double[] _points;

    /// <summary>
    /// Per grid cell, the value <see cref="Nearest"/> found for it; NaN until asked (a scan of the whole grid). Runs that
    /// share one profile model on several threads may both fill a cell: they write the same value, and a double's write is atomic.
    /// </summary>
    private readonly double[] _nearest;

    public AttentionGrid(IEnumerable<(double Chunk, double Prior, double Decodes, double Kv, double Seconds)> rows)
    {
        var list = rows.ToArray();
        var values = new[] { list.Select(r => r.Chunk), list.Select(r => r.Prior), list.Select(r => r.Decodes), list.Select(r => r.Kv) };
        for (var a = 0; a < 4; a++)
        {
            _axes[a] = values[a].Distinct().Order().ToArray();
        }
        _points = new double[_axes[0].Length * _axes[1].Length * _axes[2].Length * _axes[3].Length];
        Array.Fill(_points, double.NaN);
        _nearest = new double[_points.Length];
        Array.Fill(_nearest, double.NaN);
        foreach (var r in list)
            _points[Index(Array.IndexOf(_axes[0], r.Chunk), Array.IndexOf(_axes[1], r.Prior), Array.IndexOf(_axes[2], r.Decodes), Array.IndexOf(_axes[3], r.Kv))] = r.Seconds;
    }

    private int Index(int chunk, int prior, int decodes, int kv) =>
        ((chunk * _axes[1].Length + prior) * _axes[2].Length + decodes) * _axes[3].Length + kv;

    public double this[double chunk, double prior, double decodes, double kv]
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            var scale = 1.0;
            (prior, scale) = BeyondGrid(1, prior, scale);
            (kv, scale) = BeyondGrid(3, kv, scale);
            Span<int> low = stackalloc int[4];
            Span<double> t = stackalloc double[4];
            Bracket(0, chunk, out low[0], out t[0]);
            Bracket(1, prior, out low[1], out t[1]);
            Bracket(2, decodes, out low[2], out t[2]);
            Bracket(3, kv, out low[3], out t[3]);
            // A corner that steps along an axis the point sits exactly on has weight 0.
            var moving = 0;
            for (var a = 0; a < 4; a++)
                if (t[a] != 0) moving |= 1 << a;
            double sum = 0, weights = 0;
            for (var corner = 0; corner < 16; corner++)
            {
                if ((corner & ~moving) != 0) continue;
                var w = 1.0;
                for (var a = 0; a < 4; a++) w *= (corner >> a & 1) == 1 ? t[a] : 1 - t[a];
                if (w == 0) continue;
                var seconds = _points[Index(Corner(0, low, corner), Corner(1, low, corner), Corner(2, low, corner), Corner(3, low, corner))];
                if (double.IsNaN(seconds)) continue;
                sum += w * seconds;
                weights += w;
            }
            return weights > 0 ? scale * sum / weights : scale * Nearest(low);
        }
    }

    private int Corner(int axis, ReadOnlySpan<int> low, int corner) =>
        Math.Min(low[axis] + (corner >> axis & 1), _axes[axis].Length - 1);

    private (double Value, double Scale) BeyondGrid(int axis, double value, double scale)
    {
        var max = _axes[axis][^1];
        return value > max && max > 0 ? (max, scale * value / max) : (value, scale);
    }

    private void Bracket(int axis, double value, out int low, out double t)
    {
        var points = _axes[axis];
        var x = Math.Max(0, value);
        var i = points.AsSpan().BinarySearch(x);
        if (i >= 0) { low = i; t = 0; return; }
        i = ~i;
        if (i == 0) { low = 0; t = 0; return; }
        if (i >= points.Length) { low = points.Length - 1; t = 0; return; }
        low = i - 1;
        t = (x - points[i - 1]) / (points[i] - points[i - 1]);
    }

    /// <summary>When no surrounding corner was measured: the measured point nearest in grid steps (ties: the first in grid order).</summary>
    private double Nearest(ReadOnlySpan<int> at)
    {
        ref var known = ref _nearest[Index(at[0], at[1], at[2], at[3])];
        if (double.IsNaN(known)) known = NearestByScan(at);
        return known;
    }

    private double NearestByScan(ReadOnlySpan<int> at)
    {
        var best = double.MaxValue;
        var value = 0.0;
        for (var c = 0; c < _axes[0].Length; c++)
        for (var p = 0; p < _axes[1].Length; p++)
        for (var d = 0; d < _axes[2].Length; d++)
        for (var k = 0; k < _axes[3].Length; k++)
        {
            var seconds = _points[Index(c, p, d, k)];
            if (double.IsNaN(seconds)) continue;
            var distance = Math.Abs(c - at[0]) + Math.Abs(p - at[1]) + Math.Abs(d - at[2]) + Math.Abs(k - at[3]);
            if (distance >= best) continue;
            best = distance;
            value = seconds;
        }
        return value;
    }
}
