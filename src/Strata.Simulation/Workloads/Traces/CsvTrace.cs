namespace Strata.Simulation.Workloads.Traces;

/// <summary>
/// The rows of a comma-separated trace with a header line, columns found by name. The traces read
/// here hold numbers, timestamps and plain labels, so fields are split on commas without quoting.
/// </summary>
internal sealed class CsvTrace
{
    private readonly string path;
    private readonly Dictionary<string, int> columns;

    public CsvTrace(string path)
    {
        this.path = path;
        File = Path.GetFileName(path);
        var header = System.IO.File.ReadLines(path).FirstOrDefault()
            ?? throw new WorkloadException($"{File} is empty; a CSV trace starts with a header line.");
        columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = header.Split(',');
        for (var i = 0; i < names.Length; i++) columns.TryAdd(names[i].Trim(), i);
    }

    public string File { get; }

    public int Column(string name) =>
        columns.TryGetValue(name, out var index)
            ? index
            : throw new WorkloadException($"{File} line 1: column '{name}' is missing from the header ({string.Join(", ", columns.Keys)}).");

    public int? OptionalColumn(string name) => columns.TryGetValue(name, out var index) ? index : null;

    /// <summary>Data rows with their 1-based line numbers (the header is line 1); blank lines skipped.</summary>
    public IEnumerable<(TraceLine Line, string[] Fields)> Rows()
    {
        var number = 0;
        foreach (var text in System.IO.File.ReadLines(path))
        {
            number++;
            if (number == 1 || string.IsNullOrWhiteSpace(text)) continue;
            var fields = text.Split(',');
            if (fields.Length < columns.Count)
                throw new WorkloadException($"{File} line {number}: expected {columns.Count} comma-separated fields as in the header, found {fields.Length}.");
            yield return (new TraceLine(File, number), fields);
        }
    }
}
