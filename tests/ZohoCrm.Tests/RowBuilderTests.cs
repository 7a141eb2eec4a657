using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using ZohoCrm.Cmdlets;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>Pipeline objects into CSV rows (RowBuilder in BulkWrite/FieldMappings.cs).</summary>
public class RowBuilderTests
{
    private static PSObject Custom(params (string Name, object? Value)[] properties)
    {
        var o = new PSObject();
        foreach (var (n, v) in properties) o.Properties.Add(new PSNoteProperty(n, v));
        return o;
    }

    private static ZohoValidationException BadColumns(params string[] columns) =>
        Assert.Throws<ZohoValidationException>(() => RowBuilder.CheckColumns(columns, "InputObject"));

    [Fact]
    public void Columns_of_a_custom_object_are_its_properties_in_order()
    {
        Assert.Equal(new[] { "Last_Name", "Email", "Company" },
            PowerShellValues.ColumnsOf(Custom(("Last_Name", "Smith"), ("Email", "s@example.com"), ("Company", "Acme"))));
    }

    [Fact]
    public void Columns_of_an_ordered_hashtable_are_its_keys_in_order()
    {
        var d = new OrderedDictionary { ["Last_Name"] = "Smith", ["Email"] = "s@example.com" };
        Assert.Equal(new[] { "Last_Name", "Email" }, PowerShellValues.ColumnsOf(PSObject.AsPSObject(d)));
    }

    [Fact]
    public void A_row_puts_each_value_under_its_column_and_leaves_missing_ones_empty()
    {
        var rows = new RowBuilder(new[] { "Last_Name", "Email", "Annual_Revenue" }, null, selected: false);
        Assert.Equal(new[] { "Smith", "", "1234.5" }, rows.Build(PowerShellValues.CellsOf(Custom(("annual_revenue", 1234.5), ("Last_Name", "Smith"))), 1));
        var h = new Hashtable { ["Email"] = "x@example.com", ["Last_Name"] = null };
        Assert.Equal(new[] { "", "x@example.com", "" }, rows.Build(PowerShellValues.CellsOf(PSObject.AsPSObject(h)), 2));
    }

    [Fact]
    public void A_property_outside_the_columns_is_an_error_not_a_silent_drop()
    {
        var rows = new RowBuilder(new[] { "Last_Name" }, null, selected: false);
        var ex = Assert.Throws<ZohoValidationException>(() => rows.Build(PowerShellValues.CellsOf(Custom(("Last_Name", "Smith"), ("Emial", "typo"))), 3));
        Assert.Equal("ZohoCrm.UnknownColumn", ex.Code);
        Assert.Contains("Row 3", ex.Message);
        Assert.Contains("'Emial'", ex.Message);
        Assert.Contains("nothing was uploaded", ex.Message);
    }

    [Fact]
    public void With_Property_other_properties_are_left_out_on_purpose()
    {
        var rows = new RowBuilder(new[] { "Last_Name" }, null, selected: true);
        Assert.Equal(new[] { "Smith" }, rows.Build(PowerShellValues.CellsOf(Custom(("Last_Name", "Smith"), ("Internal", "x"))), 1));
    }

    [Fact]
    public void A_mapping_format_applies_to_its_column_only()
    {
        var columns = new[] { "Closing", "Created" };
        var mappings = FieldMappings.Parse(new Hashtable { ["Closing_Date"] = new Hashtable { ["Column"] = "Closing", ["Format"] = "yyyy-MM-dd" } }, columns);
        var rows = new RowBuilder(columns, mappings, selected: false);
        var when = new DateTime(2024, 2, 29, 13, 45, 0, DateTimeKind.Utc);
        Assert.Equal(new[] { "2024-02-29", "02/29/2024 13:45:00" }, rows.Build(PowerShellValues.CellsOf(Custom(("Closing", when), ("Created", when))), 1));
    }

    [Fact]
    public void An_object_value_names_its_row_and_column()
    {
        var rows = new RowBuilder(new[] { "Account_Name" }, null, selected: false);
        var ex = Assert.Throws<ZohoValidationException>(() => rows.Build(PowerShellValues.CellsOf(Custom(("Account_Name", Custom(("id", "1"))))), 9));
        Assert.Equal("ZohoCrm.InvalidValue", ex.Code);
        Assert.Contains("Row 9, column 'Account_Name'", ex.Message);
    }

    [Fact]
    public void No_columns_is_refused() => Assert.Equal("ZohoCrm.NoColumns", BadColumns().Code);

    [Fact]
    public void More_than_200_columns_is_refused()
    {
        RowBuilder.CheckColumns(Enumerable.Range(1, 200).Select(i => "F" + i).ToArray(), "InputObject");
        var ex = BadColumns(Enumerable.Range(1, 201).Select(i => "F" + i).ToArray());
        Assert.Equal("ZohoCrm.TooManyColumns", ex.Code);
        Assert.Contains("201 columns", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_column_without_a_name_is_refused(string name)
    {
        var ex = BadColumns("Last_Name", name);
        Assert.Equal("ZohoCrm.InvalidColumn", ex.Code);
        Assert.Contains("Column 2", ex.Message);
    }

    [Fact]
    public void A_column_twice_is_refused_ignoring_case()
    {
        var ex = BadColumns("Email", "Last_Name", "EMAIL");
        Assert.Equal("ZohoCrm.DuplicateColumn", ex.Code);
        Assert.Equal("InputObject", ex.ParameterName);
    }
}
