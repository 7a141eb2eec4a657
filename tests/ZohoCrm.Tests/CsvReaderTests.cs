using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>
/// The CSV reader scans blocks of text (BulkWrite/CsvReader.cs): whatever the blocks' sizes (a reader that hands out
/// a few characters at a time puts every boundary inside a cell, a quote pair or a CRLF), the records are the same.
/// </summary>
public class CsvReaderTests
{
    /// <summary>A TextReader that hands out at most <c>step</c> characters per block read.</summary>
    private sealed class Trickle(string text, int step) : TextReader
    {
        private int _at;
        public override int Peek() => _at < text.Length ? text[_at] : -1;
        public override int Read() => _at < text.Length ? text[_at++] : -1;
        public override int Read(char[] buffer, int index, int count)
        {
            int n = Math.Min(Math.Min(count, step), text.Length - _at);
            text.CopyTo(_at, buffer, index, n);
            _at += n;
            return n;
        }
    }

    private static List<List<string>> ReadAll(TextReader reader, int max = CsvReader.DefaultMaxRecordChars)
    {
        using var csv = new CsvReader(reader, max);
        var records = new List<List<string>>();
        List<string>? r;
        while ((r = csv.ReadRecord()) != null) records.Add(r);
        return records;
    }

    public static IEnumerable<object[]> Texts() => new[]
    {
        new object[] { "a,b\r\n1,2\r\n", new[] { "a|b", "1|2" } },
        new object[] { "\"he said \"\"hi\"\"\",x\r\n", new[] { "he said \"hi\"|x" } },
        new object[] { "\"\"\"\",\"\"\r\n", new[] { "\"|" } },
        new object[] { "\"two\r\nlines\",\"a,b\"\n", new[] { "two\r\nlines|a,b" } },
        new object[] { "x\r\n\r\ny", new[] { "x", "", "y" } },
        new object[] { "a\"b,c\r\n", new[] { "a\"b|c" } },
        new object[] { ",,\r\n", new[] { "||" } },
        new object[] { "last,\"q\"", new[] { "last|q" } },
        new object[] { "a,", new[] { "a|" } },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Records_are_the_same_whatever_the_block_boundaries(string text, string[] expected)
    {
        for (int step = 1; step <= text.Length; step++)
            Assert.Equal(expected, ReadAll(new Trickle(text, step)).Select(r => string.Join("|", r)));
    }

    [Fact]
    public void A_cell_longer_than_the_reader_buffer_is_read_whole()
    {
        // Past the reader's 16 Ki-character block: cells, quoted cells and a doubled quote across block boundaries.
        string big = new string('z', 40_000), quoted = string.Concat(Enumerable.Repeat("ab\"\"c\r\n", 7_000));
        string text = $"h1,h2,h3\r\n{big},\"{quoted}\",end\r\nnext,row,here\r\n";
        var records = ReadAll(new StringReader(text));
        Assert.Equal(3, records.Count);
        Assert.Equal(big, records[1][0]);
        Assert.Equal(quoted.Replace("\"\"", "\""), records[1][1]);
        Assert.Equal(new[] { "end", "next", "row", "here" }, records[1].Skip(2).Concat(records[2]));
    }

    [Fact]
    public void Line_numbers_count_the_breaks_inside_quotes_across_blocks()
    {
        using var csv = new CsvReader(new Trickle("h\r\n\"a\nb\nc\",x\r\nlast\r\n", 2));
        csv.ReadRecord();
        csv.ReadRecord();
        Assert.Equal(2, csv.LineNumber);
        Assert.Equal(new[] { "last" }, csv.ReadRecord());
        Assert.Equal(5, csv.LineNumber);
        Assert.Null(csv.ReadRecord());
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_column()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("STATUS,ERRORS\r\nadded,\r\n")).ToArray();
        var records = ReadAll(new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true));
        Assert.Equal("STATUS", records[0][0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void Text_after_a_closing_quote_and_an_open_quote_at_the_end_are_errors_across_blocks(int step)
    {
        var after = Assert.Throws<ZohoValidationException>(() => ReadAll(new Trickle("h\r\n\"ab\"c\r\n", step)));
        Assert.Contains("Line 2", after.Message);
        var open = Assert.Throws<ZohoValidationException>(() => ReadAll(new Trickle("h\r\n\"ab\r\ncd", step)));
        Assert.Contains("starts on line 2", open.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void The_record_bound_counts_the_same_across_blocks(int step)
    {
        // 98 characters and a CRLF fit a bound of 100 (the LF of a CRLF and the second quote of a pair are not counted).
        Assert.Single(ReadAll(new Trickle(new string('z', 98) + "\r\n", step), 100));
        Assert.Single(ReadAll(new Trickle("\"" + new string('"', 96) + "\"\r\n", step), 100));
        var ex = Assert.Throws<CsvRecordTooLargeException>(() => ReadAll(new Trickle("x," + new string('z', 500) + "\r\n", step), 100));
        Assert.Equal(1, ex.CellIndex);
    }
}
