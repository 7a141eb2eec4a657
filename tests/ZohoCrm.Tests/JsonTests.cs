using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>PowerShell values to JSON (Json.WriteValue) keeping their JSON types, and JSON back to plain .NET values.</summary>
public class JsonTests
{
    private static string Write(object? value, string path = "Field")
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) Json.WriteValue(w, Cmdlets.PowerShellValues.ToPlain(value, true)!, path);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The string a JSON string value carries (the writer may escape characters such as '+' as \u002B).</summary>
    private static string? Text(string json) => JsonDocument.Parse(json).RootElement.GetString();

    private static object? Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Json.ToObject(doc.RootElement);
    }

    // --- Writing ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(42, "42")]
    [InlineData(-7L, "-7")]
    [InlineData(9223372036854775807L, "9223372036854775807")]
    [InlineData((short)3, "3")]
    [InlineData((byte)255, "255")]
    [InlineData((sbyte)-1, "-1")]
    [InlineData((ushort)65535, "65535")]
    [InlineData(4294967295u, "4294967295")]
    [InlineData(18446744073709551615ul, "18446744073709551615")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-300, "1E-300")]
    [InlineData(true, "true")]
    [InlineData(false, "false")]
    [InlineData("text", "\"text\"")]
    [InlineData('c', "\"c\"")]
    [InlineData(null, "null")]
    public void Scalars_keep_their_JSON_type(object? value, string expected) => Assert.Equal(expected, Write(value));

    [Theory]
    [InlineData(0.1f)]
    [InlineData(1 / 3f)]
    [InlineData(float.MaxValue)]
    [InlineData(float.Epsilon)]
    public void Floats_read_back_as_the_same_float(float value) =>
        Assert.Equal(value, (float)JsonDocument.Parse(Write(value)).RootElement.GetDouble());

    [Fact]
    public void Decimals_keep_their_digits()
    {
        Assert.Equal("1234.50", Write(1234.50m));
        Assert.Equal("79228162514264337593543950335", Write(decimal.MaxValue));
    }

    [Fact]
    public void Numbers_ignore_the_current_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("[1.5,2.25,1000000]", Write(new object[] { 1.5, 2.25m, 1000000 }));
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void DBNull_and_switches()
    {
        Assert.Equal("null", Write(DBNull.Value));
        Assert.Equal("true", Write(new SwitchParameter(true)));
        Assert.Equal("false", Write(new SwitchParameter(false)));
    }

    [Fact]
    public void Strings_are_escaped()
    {
        string back = JsonDocument.Parse(Write("say \"hi\"\n\\ </script> é")).RootElement.GetString()!;
        Assert.Equal("say \"hi\"\n\\ </script> é", back);
    }

    [Fact]
    public void Dates_are_Zoho_ISO_with_an_offset()
    {
        Assert.Equal("2021-05-12T07:26:48+00:00", Text(Write(new DateTime(2021, 5, 12, 7, 26, 48, DateTimeKind.Utc))));
        Assert.Equal("2021-05-12T07:26:48+05:30", Text(Write(new DateTimeOffset(2021, 5, 12, 7, 26, 48, TimeSpan.FromHours(5.5)))));
        Assert.Equal("2021-05-12T07:26:48-08:00", Text(Write(new DateTimeOffset(2021, 5, 12, 7, 26, 48, TimeSpan.FromHours(-8)))));
    }

    [Fact]
    public void A_local_or_unspecified_DateTime_carries_the_machine_offset()
    {
        var local = new DateTime(2021, 5, 12, 7, 26, 48, DateTimeKind.Local);
        string offset = new DateTimeOffset(local).ToString("zzz", CultureInfo.InvariantCulture);
        Assert.Equal($"2021-05-12T07:26:48{offset}", Text(Write(local)));
        var unspecified = new DateTime(2021, 5, 12, 7, 26, 48, DateTimeKind.Unspecified);
        Assert.Equal($"2021-05-12T07:26:48{new DateTimeOffset(unspecified).ToString("zzz", CultureInfo.InvariantCulture)}", Text(Write(unspecified)));
        Assert.Equal("2021-05-12T07:26:48+00:00", DateValues.ToApiText(new DateTime(2021, 5, 12, 7, 26, 48, DateTimeKind.Utc), "x", "Data"));
    }

    [Fact]
    public void Enums_are_their_names_and_other_values_their_invariant_text()
    {
        Assert.Equal("\"Friday\"", Write(DayOfWeek.Friday));
        Assert.Equal("\"0f8fad5b-d9cb-469f-a165-70867728950e\"", Write(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")));
        Assert.Equal("\"01:30:00\"", Write(TimeSpan.FromMinutes(90)));
    }

    [Fact]
    public void Lists_are_arrays_and_hashtables_objects()
    {
        Assert.Equal("[1,\"a\",true,null]", Write(new object?[] { 1, "a", true, null }));
        Assert.Equal("[]", Write(new List<int>()));
        var ordered = new OrderedDictionary { ["id"] = "4150868000000225013", ["count"] = 2, ["tags"] = new[] { "x", "y" } };
        Assert.Equal("{\"id\":\"4150868000000225013\",\"count\":2,\"tags\":[\"x\",\"y\"]}", Write(ordered));
    }

    [Fact]
    public void PSObjects_are_looked_through_and_custom_objects_become_objects()
    {
        Assert.Equal("5", Write(PSObject.AsPSObject(5)));
        Assert.Equal("[1,2]", Write(PSObject.AsPSObject(new[] { 1, 2 })));
        var custom = new PSObject();
        custom.Properties.Add(new PSNoteProperty("id", "9"));
        custom.Properties.Add(new PSNoteProperty("n", 1.5));
        custom.Properties.Add(new PSNoteProperty("when", new DateTime(2021, 1, 2, 3, 4, 5, DateTimeKind.Utc)));
        Assert.StartsWith("{\"id\":\"9\",\"n\":1.5,\"when\":\"2021-01-02T03:04:05", Write(custom)); // properties in order
        using var doc = JsonDocument.Parse(Write(new Hashtable { ["Owner"] = custom }));
        var owner = doc.RootElement.GetProperty("Owner");
        Assert.Equal("9", owner.GetProperty("id").GetString());
        Assert.Equal(1.5, owner.GetProperty("n").GetDouble());
        Assert.Equal("2021-01-02T03:04:05+00:00", owner.GetProperty("when").GetString());
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Values_JSON_cannot_carry_are_refused_naming_the_field(double value)
    {
        var ex = Assert.Throws<ZohoValidationException>(() => Write(new Hashtable { ["Amount"] = value }, "Data"));
        Assert.Equal("ZohoCrm.InvalidValue", ex.Code);
        Assert.Contains("'Data.Amount'", ex.Message);
        Assert.Equal("ZohoCrm.InvalidValue", Assert.Throws<ZohoValidationException>(() => Write((float)value)).Code);
    }

    [Fact]
    public void Too_deep_nesting_is_refused_instead_of_looping()
    {
        var h = new Hashtable();
        h["self"] = h; // a cycle
        var ex = Assert.Throws<ZohoValidationException>(() => Write(h));
        Assert.Contains("nested too deeply", ex.Message);
        // 16 levels are fine.
        object value = 1;
        for (int i = 0; i < 16; i++) value = new object[] { value };
        Assert.Equal(new string('[', 16) + "1" + new string(']', 16), Write(value));
    }

    // --- Reading ------------------------------------------------------------------------------------------------

    [Fact]
    public void JSON_values_read_as_plain_NET_values()
    {
        Assert.Equal(42L, Read("42"));
        Assert.IsType<long>(Read("-1"));
        Assert.Equal(1.5, Read("1.5"));
        Assert.Equal(1e300, Read("1e300"));
        Assert.Equal(18446744073709551615d, Read("18446744073709551615")); // beyond long: a double
        Assert.Equal(true, Read("true"));
        Assert.Equal(false, Read("false"));
        Assert.Null(Read("null"));
        Assert.Equal("2021-05-12T07:26:48+05:30", Read("\"2021-05-12T07:26:48+05:30\"")); // dates stay text
    }

    [Fact]
    public void Arrays_read_as_object_arrays_and_objects_as_case_insensitive_hashtables()
    {
        var array = Assert.IsType<object[]>(Read("[1,\"a\",null,[2],{\"k\":true}]"));
        Assert.Equal(1L, array[0]);
        Assert.Equal("a", array[1]);
        Assert.Null(array[2]);
        Assert.Equal(new object[] { 2L }, array[3]);
        Assert.Equal(true, ((Hashtable)array[4]!)["K"]);

        var h = Assert.IsType<Hashtable>(Read("{\"api_name\":\"Email\",\"limit\":500}"));
        Assert.Equal("Email", h["API_NAME"]);
        Assert.Equal(500L, h["limit"]);
    }

    [Fact]
    public void Getters_read_strings_numbers_and_dates_leniently()
    {
        using var doc = JsonDocument.Parse("{\"s\":\"x\",\"n\":123,\"f\":1.5,\"b\":true,\"nul\":null,\"o\":{\"a\":1},\"digits\":\"4150868000000225013\",\"d\":\"2021-05-12T07:26:48+05:30\",\"bad\":\"soon\"}");
        var e = doc.RootElement;
        Assert.Equal("x", Json.GetString(e, "s"));
        Assert.Equal("123", Json.GetString(e, "n"));
        Assert.Equal("true", Json.GetString(e, "b"));
        Assert.Null(Json.GetString(e, "nul"));
        Assert.Null(Json.GetString(e, "o"));
        Assert.Null(Json.GetString(e, "missing"));
        Assert.Equal(123L, Json.GetInt64(e, "n"));
        Assert.Equal(4150868000000225013L, Json.GetInt64(e, "digits"));
        Assert.Null(Json.GetInt64(e, "f"));
        Assert.Null(Json.GetInt64(e, "s"));
        Assert.Null(Json.GetInt64(e, "missing"));
        Assert.NotNull(Json.GetObject(e, "o"));
        Assert.Null(Json.GetObject(e, "s"));
        Assert.Equal(new DateTimeOffset(2021, 5, 12, 7, 26, 48, TimeSpan.FromHours(5.5)), Json.GetDate(e, "d"));
        Assert.Equal(TimeSpan.FromHours(5.5), Json.GetDate(e, "d")!.Value.Offset);
        Assert.Null(Json.GetDate(e, "bad"));
        Assert.Null(Json.GetDate(e, "missing"));
    }

    [Fact]
    public void Getters_on_a_value_that_is_not_an_object_give_null()
    {
        using var doc = JsonDocument.Parse("[1]");
        Assert.Null(Json.GetString(doc.RootElement, "x"));
        Assert.Null(Json.GetInt64(doc.RootElement, "x"));
        Assert.Null(Json.GetObject(doc.RootElement, "x"));
        Assert.Empty(Json.ToHashtable(doc.RootElement));
    }

    [Fact]
    public void What_is_written_reads_back_with_the_same_types()
    {
        var data = new OrderedDictionary { ["i"] = 7, ["d"] = 0.1, ["b"] = true, ["n"] = null, ["s"] = "x", ["a"] = new object[] { 1L, "y" } };
        var back = Assert.IsType<Hashtable>(Read(Write(data)));
        Assert.Equal(7L, back["i"]);
        Assert.Equal(0.1, back["d"]);
        Assert.Equal(true, back["b"]);
        Assert.Null(back["n"]);
        Assert.True(back.ContainsKey("n"));
        Assert.Equal("x", back["s"]);
        Assert.Equal(new object[] { 1L, "y" }, back["a"]);
    }
}
