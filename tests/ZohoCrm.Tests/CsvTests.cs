using System.Collections;
using System.Globalization;
using System.IO.Compression;
using System.Management.Automation;
using System.Text;
using ZohoCrm.Cmdlets;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>The CSV the module uploads (Csv.WriteCell/WriteRow/FormatValue) and the reader for CSV input and Zoho's results.</summary>
public class CsvTests
{
    private static string Cell(string value)
    {
        var w = new StringWriter();
        Csv.WriteCell(w, value);
        return w.ToString();
    }

    private static string Row(params string[] cells)
    {
        var w = new StringWriter();
        Csv.WriteRow(w, cells);
        return w.ToString();
    }

    private static string Format(object? value, string? dateFormat = null) => Csv.FormatValue(Cmdlets.PowerShellValues.ToPlain(value, false)!, dateFormat!, "Col", 7);

    private static List<List<string>> ReadAll(string text)
    {
        using var reader = new CsvReader(new StringReader(text));
        var records = new List<List<string>>();
        List<string> r;
        while ((r = reader.ReadRecord()) != null) records.Add(r);
        return records;
    }

    // --- RFC 4180 quoting -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("Smith", "Smith")]
    [InlineData("Two words", "Two words")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData("line1\nline2", "\"line1\nline2\"")]
    [InlineData("line1\r\nline2", "\"line1\r\nline2\"")]
    [InlineData("cr\ronly", "\"cr\ronly\"")]
    [InlineData(" leading", "\" leading\"")]
    [InlineData("trailing ", "\"trailing \"")]
    [InlineData("\ttab", "\"\ttab\"")]
    [InlineData("tab\t", "\"tab\t\"")]
    [InlineData("in\tside", "in\tside")]
    [InlineData("O'Brien; Ltd.", "O'Brien; Ltd.")]
    public void WriteCell_quotes_only_what_RFC_4180_needs(string value, string expected) =>
        Assert.Equal(expected, Cell(value));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void WriteCell_writes_nothing_for_an_empty_value(string? value) => Assert.Equal("", Cell(value!));

    [Fact]
    public void WriteRow_separates_with_commas_and_ends_with_CRLF()
    {
        Assert.Equal("a,\"b,c\",,d\r\n", Row("a", "b,c", "", "d"));
        Assert.Equal("\r\n", Row());
    }

    // --- Values -------------------------------------------------------------------------------------------------

    [Fact]
    public void Null_and_DBNull_are_empty_cells()
    {
        Assert.Equal("", Format(null));
        Assert.Equal("", Format(DBNull.Value));
    }

    [Fact]
    public void Booleans_and_switches_are_lowercase_true_false()
    {
        Assert.Equal("true", Format(true));
        Assert.Equal("false", Format(false));
        Assert.Equal("true", Format(new SwitchParameter(true)));
        Assert.Equal("false", Format(new SwitchParameter(false)));
    }

    [Fact]
    public void Strings_and_chars_are_kept_as_they_are()
    {
        Assert.Equal(" a,b ", Format(" a,b "));
        Assert.Equal("x", Format('x'));
    }

    [Fact]
    public void Numbers_use_the_invariant_culture_whatever_the_current_one()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal comma, '.' thousands
            Assert.Equal("1234.5", Format(1234.5));
            Assert.Equal("1234.5", Format(1234.5m));
            Assert.Equal("0.25", Format(0.25f));
            Assert.Equal("1234567", Format(1234567));
            Assert.Equal("-9223372036854775808", Format(long.MinValue));
            Assert.Equal("42", Format((byte)42));
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void Dates_use_Zoho_format_by_default_and_the_mapping_format_when_given()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("fr-FR");
            var dt = new DateTime(2021, 5, 12, 7, 26, 48, DateTimeKind.Utc);
            Assert.Equal("05/12/2021 07:26:48", Format(dt));
            Assert.Equal("2021-05-12", Format(dt, "yyyy-MM-dd"));
            // A date-time is written as its instant in UTC (DateValuesTests pins this to mass update's conversion).
            var dto = new DateTimeOffset(2021, 12, 31, 23, 5, 9, TimeSpan.FromHours(5.5));
            Assert.Equal("12/31/2021 17:35:09", Format(dto));
            Assert.Equal("2021-12-31T17:35:09+00:00", Format(dto, "yyyy-MM-dd'T'HH:mm:sszzz"));
            // A date-only format writes the calendar day as given.
            Assert.Equal("2021/12/31", Format(dto, "yyyy/MM/dd"));
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void Lists_are_joined_with_semicolons_for_multi_select_picklists()
    {
        Assert.Equal("Red;Green;Blue", Format(new[] { "Red", "Green", "Blue" }));
        Assert.Equal("1;2.5;true", Format(new object[] { 1, 2.5, true }));
        Assert.Equal("a;;b", Format(new object?[] { "a", null, "b" }));
        Assert.Equal("x;y", Format(new List<PSObject> { PSObject.AsPSObject("x"), PSObject.AsPSObject("y") }));
        Assert.Equal("", Format(Array.Empty<string>()));
    }

    [Fact]
    public void A_PSObject_wrapping_a_value_is_formatted_as_that_value()
    {
        Assert.Equal("5", Format(PSObject.AsPSObject(5)));
        Assert.Equal("true", Format(PSObject.AsPSObject(true)));
        Assert.Equal("05/12/2021 00:00:00", Format(PSObject.AsPSObject(new DateTime(2021, 5, 12, 0, 0, 0, DateTimeKind.Utc))));
    }

    [Fact]
    public void A_hashtable_value_is_refused_with_a_clear_error()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => Csv.FormatValue(new Hashtable { ["id"] = "1" }, null!, "Account_Name", 12));
        Assert.Equal("ZohoCrm.InvalidValue", ex.Code);
        Assert.Equal("InputObject", ex.ParameterName);
        Assert.Equal(ErrorCategory.InvalidArgument, ex.Category());
        Assert.Contains("Row 12", ex.Message);
        Assert.Contains("'Account_Name'", ex.Message);
        Assert.Contains("Hashtable", ex.Message);
        Assert.Contains("Account_Name.id", ex.Message); // says how to give a lookup
    }

    [Fact]
    public void A_PSCustomObject_value_is_refused_and_named_as_such()
    {
        var obj = new PSObject();
        obj.Properties.Add(new PSNoteProperty("id", "1"));
        var ex = Assert.Throws<ZohoValidationException>(() => Format(obj));
        Assert.Equal("ZohoCrm.InvalidValue", ex.Code);
        Assert.Contains("PSCustomObject", ex.Message);
    }

    [Fact]
    public void An_object_inside_a_list_is_refused_too()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => Format(new object[] { "a", new Hashtable() }));
        Assert.Equal("ZohoCrm.InvalidValue", ex.Code);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NaN_and_infinity_are_refused(double value)
    {
        Assert.Equal("ZohoCrm.InvalidValue", Assert.Throws<ZohoValidationException>(() => Format(value)).Code);
        Assert.Equal("ZohoCrm.InvalidValue", Assert.Throws<ZohoValidationException>(() => Format((float)value)).Code);
    }

    [Fact]
    public void Other_formattable_values_use_the_invariant_culture()
    {
        var g = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", Format(g));
        Assert.Equal("Friday", Format(DayOfWeek.Friday));
    }

    // --- Round-trip numbers -------------------------------------------------------------------------------------

    public static IEnumerable<object[]> Doubles() => new[]
    {
        0.1, 0.2 + 0.1, 1e-300, double.MaxValue, double.MinValue, double.Epsilon, 1 / 3.0, 2 / 3.0, -0.0, 0.0,
        123456789.123456789, 9007199254740993.0, 5e-324, 1.7976931348623157e308, Math.PI, -Math.E, 1e21, 1e-7,
    }.Select(d => new object[] { d });

    [Theory]
    [MemberData(nameof(Doubles))]
    public void RoundTrip_double_parses_back_to_the_same_bits(double d)
    {
        string text = Csv.RoundTrip(d);
        double back = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(back));
        Assert.Equal(text, Format(d)); // the cell text is exactly that
    }

    public static IEnumerable<object[]> Floats() => new[]
    {
        0.1f, 1 / 3.0f, float.MaxValue, float.MinValue, float.Epsilon, -0.0f, 16777217f, 3.4028235e38f, 1e-45f, 0.3f,
    }.Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Floats))]
    public void RoundTrip_float_parses_back_to_the_same_bits(float f)
    {
        string text = Csv.RoundTrip(f);
        float back = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.Equal(BitConverter.SingleToInt32Bits(f), BitConverter.SingleToInt32Bits(back));
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100")]
    [InlineData(1.5, "1.5")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(1e-300, "1E-300")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    public void RoundTrip_double_is_the_shortest_text(double d, string expected) => Assert.Equal(expected, Csv.RoundTrip(d));

    [Fact]
    public void RoundTrip_float_is_the_shortest_text_not_the_double_expansion()
    {
        Assert.Equal("0.1", Csv.RoundTrip(0.1f)); // not 0.100000001490116
        Assert.Equal("0.1", Format(0.1f));
        Assert.Equal("3.14", Csv.RoundTrip(3.14f));
    }

    [Fact]
    public void Negative_zero_keeps_its_sign() => Assert.Equal("-0", Csv.RoundTrip(-0.0));

    // --- Reader -------------------------------------------------------------------------------------------------

    [Fact]
    public void Reader_reads_plain_records_with_CRLF_LF_and_no_final_newline()
    {
        var records = ReadAll("a,b,c\r\n1,2,3\n4,5,6");
        Assert.Equal(3, records.Count);
        Assert.Equal(new[] { "a", "b", "c" }, records[0]);
        Assert.Equal(new[] { "1", "2", "3" }, records[1]);
        Assert.Equal(new[] { "4", "5", "6" }, records[2]);
    }

    [Fact]
    public void Reader_reads_quoted_fields_with_commas_quotes_and_line_breaks()
    {
        var records = ReadAll("name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\r\nthen left\"\r\n\"\",x\r\n");
        Assert.Equal(3, records.Count);
        Assert.Equal(new[] { "Smith, J", "said \"hi\"\r\nthen left" }, records[1]);
        Assert.Equal(new[] { "", "x" }, records[2]);
    }

    [Fact]
    public void Reader_keeps_empty_fields_and_spaces()
    {
        var records = ReadAll(",, a ,\r\n");
        Assert.Equal(new[] { "", "", " a ", "" }, Assert.Single(records));
    }

    [Fact]
    public void Reader_returns_null_at_the_end_and_a_blank_line_as_one_empty_cell()
    {
        var records = ReadAll("a\r\n\r\nb\r\n");
        Assert.Equal(3, records.Count);
        Assert.Equal(new[] { "" }, records[1]);
        Assert.Empty(ReadAll(""));
    }

    [Fact]
    public void Reader_LineNumber_counts_line_breaks_inside_quotes()
    {
        using var reader = new CsvReader(new StringReader("h\r\n\"two\nlines\"\r\nlast\r\n"));
        reader.ReadRecord();
        Assert.Equal(1, reader.LineNumber);
        reader.ReadRecord();
        Assert.Equal(2, reader.LineNumber);
        Assert.Equal(new[] { "last" }, reader.ReadRecord());
        Assert.Equal(4, reader.LineNumber);
    }

    [Fact]
    public void Reader_refuses_a_quote_that_never_closes_naming_its_line()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => ReadAll("a,b\r\n1,\"open\r\nstill open"));
        Assert.Equal("ZohoCrm.InvalidCsv", ex.Code);
        Assert.Equal("Path", ex.ParameterName);
        Assert.Contains("line 2", ex.Message);
    }

    [Fact]
    public void Reader_refuses_text_after_a_closing_quote()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => ReadAll("a\r\n\"quoted\"tail,b\r\n"));
        Assert.Equal("ZohoCrm.InvalidCsv", ex.Code);
        Assert.Contains("Line 2", ex.Message);
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_text()
    {
        Assert.Equal(new[] { "5\" pipe", "x" }, Assert.Single(ReadAll("5\" pipe,x")));
    }

    [Fact]
    public void What_the_writer_writes_the_reader_reads_back()
    {
        string[] cells = { "plain", "a,b", "q\"uote", "multi\r\nline", " padded ", "", "lf\nonly", "\"", "tab\t" };
        var w = new StringWriter();
        Csv.WriteRow(w, cells);
        Csv.WriteRow(w, cells.Reverse().ToArray());
        var records = ReadAll(w.ToString());
        Assert.Equal(2, records.Count);
        Assert.Equal(cells, records[0]);
        Assert.Equal(cells.Reverse(), records[1]);
    }

    // --- Chunk writer -------------------------------------------------------------------------------------------

    private static string ReadZipCsv(string zipPath, out string entryName)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var entry = Assert.Single(zip.Entries);
        entryName = entry.FullName;
        using var s = entry.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        byte[] bytes = ms.ToArray();
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "the CSV must be UTF-8 without BOM");
        return Encoding.UTF8.GetString(bytes);
    }

    [Fact]
    public void ChunkWriter_splits_at_the_row_limit_repeating_the_header()
    {
        var paths = new List<string>();
        using (var writer = new ChunkWriter(new[] { "Last_Name", "Email" }, "Leads.csv", maxRows: 2))
        {
            for (int i = 1; i <= 5; i++) writer.Add(new[] { "Name " + i, $"n{i}@example.com" });
            writer.Close();
            Assert.Equal(5, writer.RowCount);
            var chunks = writer.Chunks;
            Assert.Equal(3, chunks.Count);
            Assert.Equal(new[] { (1L, 2L), (3L, 4L), (5L, 5L) }, chunks.Select(c => (c.FirstRow, c.LastRow)));
            Assert.Equal(new[] { 2L, 2L, 1L }, chunks.Select(c => c.RowCount));
            foreach (var c in chunks)
            {
                paths.Add(c.ZipPath);
                Assert.True(File.Exists(c.ZipPath));
                Assert.Equal(new FileInfo(c.ZipPath).Length, c.ZipBytes);
                string csv = ReadZipCsv(c.ZipPath, out string entry);
                Assert.Equal("Leads.csv", entry);
                Assert.StartsWith("Last_Name,Email\r\n", csv);
            }
            Assert.Equal("Last_Name,Email\r\nName 3,n3@example.com\r\nName 4,n4@example.com\r\n", ReadZipCsv(chunks[1].ZipPath, out _));
            Assert.Equal("Last_Name,Email\r\nName 5,n5@example.com\r\n", ReadZipCsv(chunks[2].ZipPath, out _));
        }
        Assert.All(paths, p => Assert.False(File.Exists(p), "Dispose deletes every ZIP it made"));
    }

    [Fact]
    public void ChunkWriter_splits_when_the_zip_reaches_the_size_limit()
    {
        // Incompressible text, so the ZIP grows with the rows (the compressor and writer buffer a little first).
        var random = new Random(42);
        const long limit = 200_000;
        using var writer = new ChunkWriter(new[] { "Description" }, "Leads.csv", maxRows: 1_000_000, maxZipBytes: limit);
        for (int i = 0; i < 3000; i++)
        {
            var bytes = new byte[300];
            random.NextBytes(bytes);
            writer.Add(new[] { Convert.ToBase64String(bytes) });
        }
        writer.Close();
        var chunks = writer.Chunks;
        Assert.True(chunks.Count >= 2, $"expected a split by size, got {chunks.Count} chunk(s)");
        Assert.Equal(1, chunks[0].FirstRow);
        Assert.Equal(3000, chunks[^1].LastRow);
        for (int i = 1; i < chunks.Count; i++) Assert.Equal(chunks[i - 1].LastRow + 1, chunks[i].FirstRow);
        // Every chunk but the last was closed because its ZIP reached the limit.
        Assert.All(chunks.Take(chunks.Count - 1), c => Assert.True(c.ZipBytes >= limit, $"{c}: {c.ZipBytes} bytes"));
        Assert.All(chunks, c => Assert.StartsWith("Description\r\n", ReadZipCsv(c.ZipPath, out _)));
    }

    [Fact]
    public void ChunkWriter_gives_a_row_that_may_not_fit_a_zip_of_its_own()
    {
        // A row whose text (its UTF-8 bound) is past the cut gets a ZIP to itself; one that zips small is fine there.
        using var writer = new ChunkWriter(new[] { "Description" }, "Leads.csv", maxZipBytes: 50_000, zohoMaxZipBytes: 60_000);
        writer.Add(new[] { "small" });
        writer.Add(new[] { new string('a', 133_000) });
        writer.Add(new[] { "small again" });
        writer.Close();
        Assert.Equal(new[] { "rows 1-1", "rows 2-2", "rows 3-3" }, writer.Chunks.Select(c => c.ToString()));
        Assert.All(writer.Chunks, c => Assert.True(c.ZipBytes < 60_000, $"{c}: {c.ZipBytes} bytes"));
    }

    [Fact]
    public void ChunkWriter_refuses_a_row_that_zips_past_Zohos_limit_on_its_own()
    {
        var bytes = new byte[100_000];
        new Random(7).NextBytes(bytes);
        using var writer = new ChunkWriter(new[] { "Description" }, "Leads.csv", maxZipBytes: 50_000, parameter: "Path", zohoMaxZipBytes: 60_000);
        writer.Add(new[] { "small" });
        var ex = Assert.Throws<ZohoValidationException>(() => writer.Add(new[] { Convert.ToBase64String(bytes) }));
        Assert.Equal("ZohoCrm.RowTooLarge", ex.Code);
        Assert.Equal("Path", ex.ParameterName);
        Assert.Matches(@"^Row 2 zips to 0\.1 MB on its own; Zoho takes bulk write ZIP files up to 0\.1 MB", ex.Message);
    }

    [Fact]
    public void ChunkWriter_row_bound_covers_the_worst_UTF8_text()
    {
        var cells = new[] { "\"\"\"", "\uFFFF\uFFFF", "\uD83D\uDE00", "" };
        var exact = Encoding.UTF8.GetByteCount("\"\"\"\"\"\"\"\",\uFFFF\uFFFF,\uD83D\uDE00,\r\n");
        Assert.True(ChunkWriter.Utf8Bound(cells) >= exact);
    }

    [Fact]
    public void ChunkWriter_quotes_cells_and_keeps_UTF8_text()
    {
        using var writer = new ChunkWriter(new[] { "Last_Name", "City" }, "Contacts.csv");
        writer.Add(new[] { "Müller, \"Hans\"", "Zürich\r\nCH" });
        writer.Add(new[] { "李", "" });
        writer.Close();
        Assert.Equal("Last_Name,City\r\n\"Müller, \"\"Hans\"\"\",\"Zürich\r\nCH\"\r\n李,\r\n", ReadZipCsv(Assert.Single(writer.Chunks).ZipPath, out _));
    }

    [Fact]
    public void ChunkWriter_without_rows_makes_no_file()
    {
        using var writer = new ChunkWriter(new[] { "a" }, "x.csv");
        writer.Close();
        Assert.Empty(writer.Chunks);
        Assert.Equal(0, writer.RowCount);
    }

    [Fact]
    public void Zoho_limits_are_the_documented_ones()
    {
        Assert.Equal(25000, ChunkWriter.MaxRowsPerJob);
        Assert.True(ChunkWriter.MaxZipBytes < 25L * 1000 * 1000);
        Assert.Equal(200, ChunkWriter.MaxColumns);
    }
}
