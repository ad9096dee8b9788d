namespace Strata.Simulation.Cost;

/// <summary>
/// Piecewise-linear curves over measured points, linear in log(x) for the token and sequence
/// axes (kernel time is smooth in log scale), extended linearly past the ends.
/// Exact at every measured point.
/// </summary>
internal sealed class Curve
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly bool _logX;

    public Curve(IEnumerable<(double X, double Y)> points, bool logX)
    {
        var sorted = points.GroupBy(p => p.X).Select(g => (X: g.Key, Y: g.Average(p => p.Y))).OrderBy(p => p.X).ToArray();
        if (sorted.Length == 0) throw new ProfileException("A profile curve has no points.");
        _logX = logX && sorted[0].X > 0;
        _x = sorted.Select(p => Axis(p.X)).ToArray();
        _y = sorted.Select(p => p.Y).ToArray();
    }

    public double this[double x]
    {
        get
        {
            if (_x.Length == 1) return _y[0];
            var at = Axis(_logX ? Math.Max(x, 1e-9) : x);
            var i = Array.BinarySearch(_x, at);
            if (i >= 0) return _y[i];
            i = Math.Clamp(~i, 1, _x.Length - 1);
            var t = (at - _x[i - 1]) / (_x[i] - _x[i - 1]);
            return Math.Max(0, _y[i - 1] + t * (_y[i] - _y[i - 1]));
        }
    }

    private double Axis(double x) => _logX ? Math.Log(x) : x;
}

/// <summary>A function of two measured axes: a curve along the second axis at each measured first-axis value, blended along the first.</summary>
internal sealed class Surface
{
    private readonly double[] _rows;
    private readonly Curve[] _curves;

    public Surface(IEnumerable<(double Row, double Column, double Value)> points, bool logRow, bool logColumn)
    {
        var byRow = points.GroupBy(p => p.Row).OrderBy(g => g.Key).ToArray();
        _rows = byRow.Select(g => logRow ? Math.Log(Math.Max(g.Key, 1e-9)) : g.Key).ToArray();
        _curves = byRow.Select(g => new Curve(g.Select(p => (p.Column, p.Value)), logColumn)).ToArray();
        LogRow = logRow;
    }

    private bool LogRow { get; }

    public double this[double row, double column]
    {
        get
        {
            if (_rows.Length == 1) return _curves[0][column];
            var at = LogRow ? Math.Log(Math.Max(row, 1e-9)) : row;
            var i = Array.BinarySearch(_rows, at);
            if (i >= 0) return _curves[i][column];
            i = Math.Clamp(~i, 1, _rows.Length - 1);
            var t = (at - _rows[i - 1]) / (_rows[i] - _rows[i - 1]);
            return Math.Max(0, _curves[i - 1][column] + t * (_curves[i][column] - _curves[i - 1][column]));
        }
    }
}
