using System.Collections;
using System.Management.Automation;
using ZohoCrm.Cmdlets;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>-FieldMapping as users write it (FieldMappings.Parse): the accepted forms and the errors for the others.</summary>
public class FieldMappingTests
{
    private static readonly string[] Columns = { "Surname", "Mail", "Company", "Created" };

    /// <summary>A PowerShell @{ } hashtable: keys are case-insensitive.</summary>
    private static Hashtable H(params (string Key, object? Value)[] entries)
    {
        var h = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in entries) h[k] = v;
        return h;
    }

    private static ZohoValidationException Bad(object mapping, IReadOnlyList<string>? columns = null)
    {
        var ex = Assert.Throws<ZohoValidationException>(() => FieldMappings.Parse(mapping, columns ?? Columns));
        Assert.Equal("ZohoCrm.InvalidFieldMapping", ex.Code);
        Assert.Equal("FieldMapping", ex.ParameterName);
        Assert.StartsWith("Invalid -FieldMapping: ", ex.Message);
        return ex;
    }

    [Fact]
    public void Api_name_to_column_name_resolves_the_index_ignoring_case()
    {
        var specs = FieldMappings.Parse(H(("Last_Name", "surname"), ("Email", "MAIL")), Columns);
        Assert.Equal(2, specs.Count);
        var last = specs.Single(s => s.ApiName == "Last_Name");
        Assert.Equal(0, last.Index);
        Assert.Null(last.Format);
        Assert.Null(last.FindBy);
        Assert.False(last.HasDefault);
        Assert.Equal(1, specs.Single(s => s.ApiName == "Email").Index);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(2L)]
    [InlineData((short)2)]
    [InlineData((byte)2)]
    public void Api_name_to_column_index(object index)
    {
        var spec = Assert.Single(FieldMappings.Parse(H(("Company", index)), Columns));
        Assert.Equal("Company", spec.ApiName);
        Assert.Equal(2, spec.Index);
    }

    [Fact]
    public void Api_name_to_a_hashtable_with_format_find_by_and_default()
    {
        var spec = Assert.Single(FieldMappings.Parse(
            H(("Created_Date", H(("Column", "Created"), ("Format", "yyyy-MM-dd"), ("FindBy", "id"), ("DefaultValue", "2020-01-01")))), Columns));
        Assert.Equal("Created_Date", spec.ApiName);
        Assert.Equal(3, spec.Index);
        Assert.Equal("yyyy-MM-dd", spec.Format);
        Assert.Equal("id", spec.FindBy);
        Assert.True(spec.HasDefault);
        Assert.Equal("2020-01-01", spec.DefaultValue);
    }

    [Fact]
    public void Keys_of_the_inner_hashtable_are_case_insensitive_even_in_a_case_sensitive_dictionary()
    {
        var inner = new Hashtable { ["column"] = "Mail", ["findby"] = "Email" }; // case-sensitive keys
        var spec = Assert.Single(FieldMappings.Parse(H(("Email", inner)), Columns));
        Assert.Equal(1, spec.Index);
        Assert.Equal("Email", spec.FindBy);
    }

    [Fact]
    public void A_default_value_alone_needs_no_column()
    {
        var spec = Assert.Single(FieldMappings.Parse(H(("Lead_Source", H(("DefaultValue", "Web")))), Columns));
        Assert.Null(spec.Index);
        Assert.True(spec.HasDefault);
        Assert.Equal("Web", spec.DefaultValue);
    }

    [Fact]
    public void A_null_default_value_is_still_a_default()
    {
        var spec = Assert.Single(FieldMappings.Parse(H(("Phone", H(("DefaultValue", null)))), Columns));
        Assert.True(spec.HasDefault);
        Assert.Null(spec.DefaultValue);
    }

    [Fact]
    public void Empty_format_and_find_by_count_as_not_given()
    {
        var spec = Assert.Single(FieldMappings.Parse(H(("Email", H(("Index", 1), ("Format", ""), ("FindBy", "")))), Columns));
        Assert.Null(spec.Format);
        Assert.Null(spec.FindBy);
    }

    [Fact]
    public void A_list_of_hashtables_with_ApiName()
    {
        var specs = FieldMappings.Parse(PowerShellValues.ToPlain(new object[]
        {
            H(("ApiName", "Last_Name"), ("Column", "Surname")),
            H(("api_name", "Email"), ("Index", 1)),
            PSObject.AsPSObject(H(("ApiName", "Company"), ("Column", "Company"))),
        }, true), Columns);
        Assert.Equal(new[] { "Last_Name", "Email", "Company" }, specs.Select(s => s.ApiName));
        Assert.Equal(new int?[] { 0, 1, 2 }, specs.Select(s => s.Index));
    }

    [Fact]
    public void A_single_hashtable_with_ApiName_is_one_mapping()
    {
        var spec = Assert.Single(FieldMappings.Parse(H(("ApiName", "Email"), ("Column", "Mail")), Columns));
        Assert.Equal("Email", spec.ApiName);
        Assert.Equal(1, spec.Index);
    }

    [Fact]
    public void PSObject_wrappers_are_looked_through()
    {
        var mapping = PSObject.AsPSObject(H(("Last_Name", PSObject.AsPSObject("Surname")), ("Email", PSObject.AsPSObject(1))));
        var specs = FieldMappings.Parse(PowerShellValues.ToPlain(mapping, true), Columns);
        Assert.Equal(0, specs.Single(s => s.ApiName == "Last_Name").Index);
        Assert.Equal(1, specs.Single(s => s.ApiName == "Email").Index);
    }

    [Fact]
    public void Without_columns_an_index_has_no_upper_bound()
    {
        // With -FileId the module does not know the file's columns.
        var spec = Assert.Single(FieldMappings.Parse(H(("Email", 57)), null!));
        Assert.Equal(57, spec.Index);
    }

    [Fact]
    public void Without_columns_a_column_name_cannot_be_resolved()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => FieldMappings.Parse(H(("Email", "Mail")), null!));
        Assert.Equal("ZohoCrm.InvalidFieldMapping", ex.Code);
        Assert.Contains("-FileId", ex.Message);
        Assert.Contains("Index", ex.Message);
    }

    [Fact]
    public void An_unknown_column_lists_the_columns_there_are()
    {
        var ex = Bad(H(("Email", "E-mail")));
        Assert.Contains("'E-mail'", ex.Message);
        Assert.Contains("Surname, Mail, Company, Created", ex.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void An_index_outside_the_columns_is_refused(int index)
    {
        var ex = Bad(H(("Email", index)));
        Assert.Contains($"index {index}", ex.Message);
        Assert.Contains("4 columns (0 to 3)", ex.Message);
    }

    [Fact]
    public void Column_and_index_together_are_refused() =>
        Assert.Contains("both Column and Index", Bad(H(("Email", H(("Column", "Mail"), ("Index", 1))))).Message);

    [Fact]
    public void An_unknown_key_is_refused_naming_the_known_ones()
    {
        var ex = Bad(H(("Email", H(("Colum", "Mail")))));
        Assert.Contains("unknown key 'Colum'", ex.Message);
        Assert.Contains("Column, Index, Format, FindBy, DefaultValue", ex.Message);
    }

    [Fact]
    public void A_hashtable_without_column_index_or_default_is_refused() =>
        Assert.Contains("needs a Column, an Index or a DefaultValue", Bad(H(("Email", H(("Format", "x"))))).Message);

    [Theory]
    [InlineData("Last Name")]
    [InlineData("Last,Name")]
    [InlineData("'Last_Name'")]
    [InlineData("\"Email\"")]
    [InlineData(" ")]
    [InlineData("")]
    public void An_api_name_that_cannot_be_one_is_refused(string apiName) =>
        Assert.Contains("is not a field API name", Bad(H((apiName, "Mail"))).Message);

    [Fact]
    public void A_list_item_without_an_api_name_is_refused() =>
        Assert.Contains("is not a field API name", Bad(new object[] { H(("Column", "Mail")) }).Message);

    [Fact]
    public void The_same_api_name_twice_is_refused_ignoring_case()
    {
        var ex = Bad(new object[] { H(("ApiName", "Email"), ("Index", 0)), H(("ApiName", "EMAIL"), ("Index", 1)) });
        Assert.Contains("more than once", ex.Message);
    }

    [Fact]
    public void An_empty_mapping_is_refused()
    {
        Assert.Contains("is empty", Bad(H()).Message);
        Assert.Contains("is empty", Bad(Array.Empty<object>()).Message);
    }

    [Theory]
    [InlineData("Last_Name=Surname")]
    [InlineData(42)]
    public void A_mapping_that_is_not_a_hashtable_or_list_is_refused(object mapping) =>
        Assert.Contains("must be a hashtable", Bad(mapping).Message);

    [Fact]
    public void A_list_item_that_is_not_a_hashtable_is_refused() =>
        Assert.Contains("each item of a -FieldMapping list must be a hashtable", Bad(new object[] { "Last_Name" }).Message);

    [Theory]
    [InlineData(1.5)]
    [InlineData(true)]
    public void A_value_that_is_no_column_index_or_hashtable_is_refused(object value) =>
        Assert.Contains("must be a column name, a column index or a hashtable", Bad(H(("Email", value))).Message);

    [Fact]
    public void A_null_value_is_refused() =>
        Assert.Contains("must be a column name, a column index or a hashtable", Bad(H(("Email", null))).Message);

    public static readonly TheoryData<object, string> BadIndexes = new()
    {
        { "abc", "the Index of 'Email' is 'abc'" },
        { "2\n", "the Index of 'Email' is '2`n'" },
        { "\u0662", "the Index of 'Email' is '`u{0662}'" },
        { 99999999999L, "uses column index 99999999999" },
        { long.MaxValue, "uses column index 9223372036854775807" },
        { ulong.MaxValue, "uses column index 18446744073709551615" },
        { 2.5, "the Index of 'Email' is '2.5' (a Double)" },
    };

    [Theory]
    [MemberData(nameof(BadIndexes))]
    public void An_index_that_is_no_column_number_is_a_clear_error_not_a_Format_or_OverflowException(object index, string text)
    {
        var ex = Bad(H(("Email", H(("Index", index)))));
        Assert.Equal("ZohoCrm.InvalidFieldMapping", ex.Code);
        Assert.Contains(text, ex.Message);
        Assert.Contains("4 columns (0 to 3)", ex.Message);
    }

    [Fact]
    public void An_index_given_as_digits_or_a_long_is_read()
    {
        Assert.Equal(2, FieldMappings.Parse(H(("Email", H(("Index", "2")))), Columns)[0].Index);
        Assert.Equal(3, FieldMappings.Parse(H(("Email", 3L)), Columns)[0].Index);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("'yyyy")]
    public void A_format_that_is_no_date_format_is_refused(string format)
    {
        var ex = Bad(H(("Closing_Date", H(("Column", "Mail"), ("Format", format)))));
        Assert.Contains($"the Format '{format}' of 'Closing_Date' is not a date format", ex.Message);
    }
}
