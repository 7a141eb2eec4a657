using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Xunit;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>Tying a bulk write job's result rows to the input rows of its chunk file (BulkWrite/ResultJoin.cs).</summary>
public class ResultJoinTests
{
    /// <summary>A chunk file: header Email,Last_Name,City (the key first, as the module writes it) and one row per email.</summary>
    private static string Chunk(params string[] emails)
    {
        string path = Path.Combine(Path.GetTempPath(), "zcrm-test-" + Guid.NewGuid().ToString("N") + ".zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var w = new StreamWriter(zip.CreateEntry("Leads.csv").Open(), new UTF8Encoding(false));
        w.Write("Email,Last_Name,City\r\n");
        foreach (var e in emails) w.Write($"{e},Name of {e},Town\r\n");
        return path;
    }

    private static BulkWriteResultRow Result(string email, string status = "added")
    {
        var r = new BulkWriteResultRow { Status = status, RecordId = "1" };
        r.Columns.Add(new KeyValuePair<string, string>("Email", email));
        r.Columns.Add(new KeyValuePair<string, string>("Last_Name", "Name of " + email));
        r.Columns.Add(new KeyValuePair<string, string>("City", "Town"));
        return r;
    }

    private static (List<JoinedRow> Rows, ResultJoin Join) JoinOf(string[] input, params BulkWriteResultRow[] results)
    {
        string zip = Chunk(input);
        try
        {
            // The caller's order had Email last: the result properties follow it.
            var rows = InputRows.FromChunk(zip, 101, new[] { "Last_Name", "City", "Email" });
            var join = new ResultJoin(rows);
            return (join.Join(results).ToList(), join);
        }
        finally { File.Delete(zip); }
    }

    [Fact]
    public void Rows_in_upload_order_tie_one_to_one_with_the_callers_column_order()
    {
        var (rows, join) = JoinOf(new[] { "a@x", "b@x" }, Result("a@x"), Result("b@x", "skipped"));
        Assert.False(join.HasProblems);
        Assert.Equal(new long[] { 101, 102 }, rows.Select(r => r.RowNumber));
        Assert.Equal(new[] { "Name of b@x", "Town", "b@x" }, rows[1].Input);
        Assert.Equal("skipped", rows[1].Result.Status);
    }

    [Fact]
    public void A_missing_row_is_named_and_comes_out_without_a_result()
    {
        var (rows, join) = JoinOf(new[] { "a@x", "b@x", "c@x" }, Result("a@x"), Result("c@x"));
        Assert.Equal(new long[] { 102 }, join.Missing);
        Assert.Empty(join.OutOfOrder);
        var missing = Assert.Single(rows, r => r.Result == null);
        Assert.Equal(102, missing.RowNumber);
        Assert.Equal("b@x", missing.Input[2]);
    }

    [Fact]
    public void Rows_out_of_order_are_tied_by_their_echo_and_named()
    {
        var (rows, join) = JoinOf(new[] { "a@x", "b@x", "c@x" }, Result("b@x"), Result("a@x"), Result("c@x"));
        Assert.Equal(new long[] { 101 }, join.OutOfOrder);
        Assert.Empty(join.Missing);
        Assert.All(rows, r => Assert.Equal(r.Input[2], r.Result.Columns[0].Value));
    }

    [Fact]
    public void An_echo_that_names_two_open_rows_ties_neither_out_of_order()
    {
        // The same values twice, and the result starts with the second distinct row: the repeated row cannot be told apart.
        var (rows, join) = JoinOf(new[] { "a@x", "d@x", "d@x" }, Result("d@x"), Result("a@x"), Result("d@x"));
        Assert.Equal(new long[] { 1 }, join.Unmatched);
        Assert.Equal(new long[] { 103 }, join.Missing);
        Assert.Equal(4, rows.Count);
    }

    [Fact]
    public void A_result_row_that_names_no_input_row_is_counted_by_its_place()
    {
        var (_, join) = JoinOf(new[] { "a@x" }, Result("a@x"), Result("zz@x"));
        Assert.Equal(new long[] { 2 }, join.Unmatched);
    }

    [Theory]
    [InlineData(new long[] { 3 }, "3")]
    [InlineData(new long[] { 3, 4, 5, 9 }, "3-5, 9")]
    [InlineData(new long[] { }, "")]
    public void Row_numbers_read_as_ranges(long[] rows, string text) => Assert.Equal(text, ResultJoin.Ranges(rows));

    [Fact]
    public void Past_the_limit_the_ranges_end_with_an_ellipsis()
    {
        Assert.Equal("1, 3, ...", ResultJoin.Ranges(new long[] { 1, 3, 5 }, max: 2));
        Assert.Equal("1, 3", ResultJoin.Ranges(new long[] { 1, 3 }, max: 2));
    }
}
