using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>
/// The one conversion of [datetime]/[datetimeoffset] (Http/DateValues.cs) behind mass update's JSON and bulk write's
/// CSV cells, so a value means the same instant in both; and the values with no meaning as a field (FieldValues).
/// </summary>
public class DateValuesTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.CreateCustomTimeZone("Test-05", TimeSpan.FromHours(-5), "Test-05", "Test-05");
    private static readonly TimeZoneInfo Kolkata = TimeZoneInfo.CreateCustomTimeZone("Test+0530", TimeSpan.FromHours(5.5), "Test+0530", "Test+0530");

    private static string Json(object value)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) Http.Json.WriteValue(w, value, "Last_Contacted");
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray())).RootElement.GetString()!;
    }

    public static readonly TheoryData<object> Values = new()
    {
        new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.FromHours(5)),
        new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.FromHours(-8)),
        new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.Zero),
        new DateTime(2024, 3, 1, 9, 30, 0, DateTimeKind.Utc),
        new DateTime(2024, 3, 1, 9, 30, 0, DateTimeKind.Local),
        new DateTime(2024, 3, 1, 9, 30, 0, DateTimeKind.Unspecified),
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Mass_update_and_bulk_write_send_the_same_instant(object value)
    {
        // Mass update's JSON text and bulk write's cell (Zoho's default format, and a mapping's ISO format) read back
        // as one instant: the bulk write cell has no offset and Zoho reads it as UTC.
        var fromJson = DateTimeOffset.Parse(Json(value), CultureInfo.InvariantCulture);
        var fromCsv = DateTimeOffset.ParseExact(Csv.FormatValue(value, null!, "Seen", 1), Csv.BulkWriteDateTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var fromMapped = DateTimeOffset.Parse(Csv.FormatValue(value, "yyyy-MM-dd'T'HH:mm:sszzz", "Seen", 1), CultureInfo.InvariantCulture);
        Assert.Equal(fromJson, fromCsv);
        Assert.Equal(fromJson, fromMapped);
        Assert.Equal(DateValues.ToInstant(value, TimeZoneInfo.Local, "x", "Data"), fromJson);
    }

    [Fact]
    public void A_datetimeoffset_keeps_its_offset_in_bulk_write()
    {
        // The bug this pins: 09:30+05:00 was written as 09:30.
        var value = new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.FromHours(5));
        Assert.Equal("03/01/2024 04:30:00", Csv.FormatValue(value, null!, "Seen", 1));
        Assert.Equal("2024-03-01T09:30:00+05:00", Json(value));
    }

    [Fact]
    public void A_local_or_unspecified_datetime_is_the_wall_clock_of_the_zone()
    {
        var wall = new DateTime(2024, 3, 1, 9, 30, 0, DateTimeKind.Unspecified);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.FromHours(-5)), DateValues.ToInstant(wall, NewYork, "x", "Data"));
        Assert.Equal("03/01/2024 14:30:00", DateValues.ToCsvText(wall, Csv.BulkWriteDateTimeFormat, NewYork, "x", "InputObject"));
        Assert.Equal("03/01/2024 04:00:00", DateValues.ToCsvText(DateTime.SpecifyKind(wall, DateTimeKind.Local), Csv.BulkWriteDateTimeFormat, Kolkata, "x", "InputObject"));
        // A UTC [datetime] ignores the zone.
        Assert.Equal("03/01/2024 09:30:00", DateValues.ToCsvText(DateTime.SpecifyKind(wall, DateTimeKind.Utc), Csv.BulkWriteDateTimeFormat, NewYork, "x", "InputObject"));
    }

    [Fact]
    public void A_date_only_format_writes_the_day_as_given()
    {
        var midnight = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Local);
        Assert.Equal("2024/03/01", DateValues.ToCsvText(midnight, "yyyy/MM/dd", Kolkata, "x", "InputObject"));
        Assert.Equal("03/01/2024", DateValues.ToCsvText(midnight, "d", Kolkata, "x", "InputObject"));
    }

    [Theory]
    [InlineData("MM/dd/yyyy HH:mm:ss", true)]
    [InlineData("yyyy-MM-dd'T'HH:mm:sszzz", true)]
    [InlineData("hh:mm tt", true)]
    [InlineData("G", true)]
    [InlineData("yyyy-MM-dd", false)]
    [InlineData("yyyy/MM/dd 'at noon'", false)] // quoted letters are text
    [InlineData("d", false)]
    [InlineData("dd\\hMM", false)]
    public void What_counts_as_a_time_of_day(string format, bool hasTime) => Assert.Equal(hasTime, DateValues.HasTimeOfDay(format));

    [Fact]
    public void A_wall_clock_the_zone_cannot_place_is_a_clear_error_not_ArgumentOutOfRange()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => DateValues.ToInstant(DateTime.MaxValue, NewYork, "The value of 'Last_Contacted'", "Data"));
        Assert.Equal("ZohoCrm.InvalidValue", ex.Code);
        Assert.Equal("Data", ex.ParameterName);
        Assert.Contains("The value of 'Last_Contacted': 9999-12-31 23:59:59", ex.Message);
        Assert.Contains("-05:00", ex.Message);
        Assert.Throws<ZohoValidationException>(() => DateValues.ToInstant(DateTime.MinValue, Kolkata, "x", "Data"));
        // In UTC, or as UTC, the same values are fine.
        Assert.Equal(DateTime.MaxValue, DateValues.ToInstant(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc), NewYork, "x", "Data").UtcDateTime);
        Assert.Equal(DateTime.MinValue, DateValues.ToInstant(DateTime.MinValue, NewYork, "x", "Data").DateTime);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("'unclosed")]
    [InlineData("\\")]
    public void A_format_dotnet_cannot_use_is_found_before_any_row(string format) => Assert.False(DateValues.IsValidFormat(format));

    [Theory]
    [InlineData("MM/dd/yyyy")]
    [InlineData("yyyy-MM-dd HH:mm:ss")]
    public void Ordinary_formats_pass(string format) => Assert.True(DateValues.IsValidFormat(format));

    public static readonly TheoryData<object, string> Meaningless = new()
    {
        { ScriptBlock.Create("Get-Date"), "System.Management.Automation.ScriptBlock" },
        { new FileInfo("report.csv"), "System.IO.FileInfo" },
        { new DirectoryInfo("."), "System.IO.DirectoryInfo" },
        { Process.GetCurrentProcess(), "System.Diagnostics.Process" },
    };

    [Theory]
    [MemberData(nameof(Meaningless))]
    public void A_value_with_no_meaning_as_a_field_is_refused_naming_its_type(object value, string typeName)
    {
        var ex = Assert.Throws<ZohoValidationException>(() => Json(value));
        Assert.Equal("ZohoCrm.InvalidValueType", ex.Code);
        Assert.Contains($"The value of 'Last_Contacted' is a {typeName}", ex.Message);
        ex = Assert.Throws<ZohoValidationException>(() => Csv.FormatValue(value, null!, "Notes", 3));
        Assert.Equal("ZohoCrm.InvalidValueType", ex.Code);
        Assert.Contains($"Row 3, column 'Notes' is a {typeName}", ex.Message);
        // Inside a list too.
        Assert.Equal("ZohoCrm.InvalidValueType", Assert.Throws<ZohoValidationException>(() => Csv.FormatValue(new object[] { "a", value }, null!, "Notes", 3)).Code);
    }

    [Fact]
    public void Values_with_an_invariant_text_pass()
    {
        var id = Guid.Parse("5f1d3c1e-0000-4000-8000-000000000001");
        Assert.Equal(id.ToString(), Csv.FormatValue(id, null!, "c", 1));
        Assert.Equal("1.2.3", Json(new Version(1, 2, 3)));
        Assert.Equal("https://example.com/a b", Csv.FormatValue(new Uri("https://example.com/a b"), null!, "c", 1));
    }

    [Fact]
    public void A_list_inside_a_list_cell_is_refused()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => Csv.FormatValue(new object[] { "a", new[] { "b", "c" } }, null!, "Colors", 4));
        Assert.Contains("Row 4, column 'Colors' holds a list inside a list", ex.Message);
    }
}
