using System.Collections.Generic;
using System.Text.Json;
using Xunit;
using ZohoCrm;
using ZohoCrm.BulkWrite;
using ZohoCrm.Metadata;

public class InlineCellCheckTests
{
    private static readonly List<ZohoField> Fields = new()
    {
        MetadataService.ToField("Leads", JsonDocument.Parse("""{"api_name":"Last_Name","data_type":"text","system_mandatory":true}""").RootElement),
        MetadataService.ToField("Leads", JsonDocument.Parse("""{"api_name":"Rating","data_type":"picklist","pick_list_values":[{"actual_value":"Hot"},{"actual_value":"Cold"}]}""").RootElement),
    };

    /// <summary>
    /// 7 rows, 3 per job file, the key column (Email, the last) moved first in the files: bad Ratings in rows 2 (the
    /// first file, written before the fields are read) and 6 (checked as it comes). Both must be named, whether the
    /// first file's rows were held or read back.
    /// </summary>
    [Theory]
    [InlineData(InlineCellCheck.HeldCharsLimit)]
    [InlineData(10L)] // rows wider than that: the first file is read back
    public void Rows_written_before_the_fields_are_read_are_checked_held_or_read_back(long heldCharsLimit)
    {
        string[] columns = { "Last_Name", "Rating", "Email" };
        int fieldReads = 0;
        using var chunks = new ChunkWriter(columns, "Leads.csv", maxRows: 3, keyColumn: 2);
        var check = new InlineCellCheck(() => { fieldReads++; return Fields; }, f => new BulkCellCheck("Leads", f, columns, null), chunks, heldCharsLimit);
        for (int row = 1; row <= 7; row++)
        {
            string rating = row == 2 || row == 6 ? "Lukewarm" : "Hot";
            var cells = new[] { $"Name {row}", rating, $"r{row}@example.com" };
            chunks.Add(cells);
            check.Add(cells, chunks.RowCount);
            Assert.Equal(row >= 3, check.Started); // the fields are read once the first file is finished (by its 3rd row), not before
        }
        chunks.Close();
        var ex = Assert.Throws<ZohoValidationException>(() => check.End("InputObject", null));
        Assert.Contains("Rating", ex.Message);
        Assert.True(ex.Message.Contains("rows 2, 6:"), ex.Message);
        Assert.Equal(1, fieldReads);
    }

    [Fact]
    public void An_input_of_one_file_is_checked_whole_at_its_end()
    {
        string[] columns = { "Last_Name", "Rating" };
        using var chunks = new ChunkWriter(columns, "Leads.csv", maxRows: 3);
        var check = new InlineCellCheck(() => Fields, f => new BulkCellCheck("Leads", f, columns, null), chunks);
        foreach (var cells in new[] { new[] { "A", "Hot" }, new[] { "B", "Tepid" } }) { chunks.Add(cells); check.Add(cells, chunks.RowCount); }
        Assert.False(check.Started);
        chunks.Close();
        var ex = Assert.Throws<ZohoValidationException>(() => check.End("InputObject", null));
        Assert.True(ex.Message.Contains("rows 2:"), ex.Message);
    }
}
