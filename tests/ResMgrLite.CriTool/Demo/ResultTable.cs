using System.Text;

namespace ResMgrLite.CriTool.Demo;

/// <summary>A plain-text table with columns sized to their widest cell.</summary>
internal sealed class ResultTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public ResultTable(params string[] headers)
    {
        _headers = headers;
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells);
    }

    public override string ToString()
    {
        var widths = _headers.Select((header, column) => _rows.Select(row => row[column].Length).Append(header.Length).Max()).ToArray();
        var text = new StringBuilder();
        AppendRow(text, _headers, widths);
        AppendRow(text, widths.Select(width => new string('-', width)).ToArray(), widths);
        foreach (var row in _rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var column = 0; column < cells.Length; column++)
        {
            text.Append(column == 0 ? "" : "  ").Append(cells[column].PadRight(widths[column]));
        }

        text.Append('\n');
    }
}
