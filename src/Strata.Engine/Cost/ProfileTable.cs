using System.Globalization;

namespace Strata.Engine.Cost;

/// <summary>A measured CSV table read with errors that name the file, line and column.</summary>
public static class ProfileTable
{
    /// <summary>The rows of a table whose first column is a layer name when the header says so, every other column a number.</summary>
    public static IEnumerable<string[]> Rows(string directory, string file, params string[] header) =>
        Rows(directory, file, header[0] == "layer" ? [0] : [], header);

    /// <summary>The rows of a table whose <paramref name="textColumns"/> hold labels and every other column a number.</summary>
    public static IEnumerable<string[]> Rows(string directory, string file, int[] textColumns, params string[] header)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path)) throw new ProfileException($"step_model.dir: {path} is missing; a profile directory needs attention.csv, dense.csv and per_sequence.csv, and moe.csv for a MoE model (LLMServingSim's profiler writes them).");
        using var reader = new StreamReader(path);
        var first = reader.ReadLine();
        if (first is null || first.Trim() != string.Join(',', header))
            throw new ProfileException($"{path} line 1: expected the header '{string.Join(',', header)}'.");
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            var cells = text.Split(',');
            if (cells.Length != header.Length) throw new ProfileException($"{path} line {line}: expected {header.Length} columns, found {cells.Length}.");
            for (var c = 0; c < cells.Length; c++)
                if (Array.IndexOf(textColumns, c) < 0)
                    if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                        throw new ProfileException($"{path} line {line}: column {header[c]} '{cells[c]}' is not a number.");
            yield return cells;
        }
    }

    public static double Number(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);
}

/// <summary>A profile directory that cannot be used; the message names the file and the fix.</summary>
public sealed class ProfileException(string message) : Exception(message);
