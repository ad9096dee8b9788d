namespace Strata.Experiments.Reports;

/// <summary>A report as an ordered list of blocks, rendered once as Markdown and once as self-contained HTML.</summary>
public sealed class ReportDocument
{
    private readonly List<ReportBlock> _blocks = [];

    public IReadOnlyList<ReportBlock> Blocks => _blocks;

    public ReportDocument Heading(string text, int level = 2) => Add(new ReportBlock.Heading(text, level));
    public ReportDocument Paragraph(string text) => Add(new ReportBlock.Paragraph(text));
    public ReportDocument Code(string text) => Add(new ReportBlock.Code(text));
    public ReportDocument Table(TextTable table) => Add(new ReportBlock.Table(table));
    public ReportDocument Chart(string fileName, string title, string svg) => Add(new ReportBlock.Chart(fileName, title, svg));

    private ReportDocument Add(ReportBlock block)
    {
        _blocks.Add(block);
        return this;
    }
}

public abstract record ReportBlock
{
    public sealed record Heading(string Text, int Level) : ReportBlock;
    public sealed record Paragraph(string Text) : ReportBlock;
    public sealed record Code(string Text) : ReportBlock;
    public sealed record Table(TextTable Content) : ReportBlock;
    public sealed record Chart(string FileName, string Title, string Svg) : ReportBlock;
}
