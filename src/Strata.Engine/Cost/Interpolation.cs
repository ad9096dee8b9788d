using System.Runtime.CompilerServices;
namespace Strata.Engine.Cost;

/// <summary>
/// Piecewise-linear curves over measured points, extended linearly past the ends; exact at every
/// measured point. Linear, not linear in log x, although the profiler samples on doubling grids: the
/// kernels are linear in tokens and sequences (a fixed launch plus a per-token cost), and blending a
/// linear function in log space overestimates it by up to 6% between two doubling grid points
/// (casys-kaist/LLMServingSim <c>serving/core/trace_generator.py</c> <c>_axis_bracket</c>, commit 5daddb2,
/// whose leave-one-out check over every profile favours linear on every axis).
/// </summary>
public sealed class Curve
{
    private readonly double[] _x;
    private readonly double[] _y;

    public Curve(IEnumerable<(double X, double Y)> points)
    {
        var sorted = points.GroupBy(p => p.X).Select(g => (X: g.Key, Y: g.Average(p => p.Y))).OrderBy(p => p.X).ToArray();
        if (sorted.Length == 0) throw new ProfileException("A profile curve has no points.");
        _x = sorted.Select(p => p.X).ToArray();
        _y = sorted.Select(p => p.Y).ToArray();
    }

    public double this[double x]
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            if (_x.Length == 1) return _y[0];
            var i = _x.AsSpan().BinarySearch(x);
            if (i >= 0) return _y[i];
            i = Math.Clamp(~i, 1, _x.Length - 1);
            var t = (x - _x[i - 1]) / (_x[i] - _x[i - 1]);
            return Math.Max(0, _y[i - 1] + t * (_y[i] - _y[i - 1]));
        }
    }
}

/// <summary>A function of two measured axes: a curve along the second axis at each measured first-axis value, blended linearly along the first.</summary>
public sealed class Surface
{
    private readonly double[] _rows;
    private readonly Curve[] _curves;

    public Surface(IEnumerable<(double Row, double Column, double Value)> points)
    {
        var byRow = points.GroupBy(p => p.Row).OrderBy(g => g.Key).ToArray();
        _rows = byRow.Select(g => g.Key).ToArray();
        _curves = byRow.Select(g => new Curve(g.Select(p => (p.Column, p.Value)))).ToArray();
    }

    public double this[double row, double column]
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get
        {
            if (_rows.Length == 1) return _curves[0][column];
            var i = _rows.AsSpan().BinarySearch(row);
            if (i >= 0) return _curves[i][column];
            i = Math.Clamp(~i, 1, _rows.Length - 1);
            var t = (row - _rows[i - 1]) / (_rows[i] - _rows[i - 1]);
            return Math.Max(0, _curves[i - 1][column] + t * (_curves[i][column] - _curves[i - 1][column]));
        }
    }
}
