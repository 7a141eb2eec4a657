using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.Json;
using Xunit;
using ZohoCrm.Metadata;

namespace ZohoCrm.Tests;

/// <summary>The checks of a change against field metadata (Metadata/MetadataChecks.cs) and the reading of Zoho's field JSON.</summary>
public class MetadataChecksTests
{
    private static ZohoField Field(string json) => MetadataService.ToField("Leads", JsonDocument.Parse(json).RootElement);

    private static readonly List<ZohoField> Leads = new()
    {
        Field("""{"api_name":"Last_Name","data_type":"text","system_mandatory":true,"unique":{}}"""),
        Field("""{"api_name":"Email","data_type":"email","unique":{"casesensitive":"false"}}"""),
        Field("""{"api_name":"No_of_Employees","data_type":"integer"}"""),
        Field("""{"api_name":"Rating","data_type":"picklist","pick_list_values":[{"actual_value":"Hot"},{"actual_value":"Cold"}]}"""),
        Field("""{"api_name":"Full_Name","data_type":"text","read_only":true}"""),
        Field("""{"api_name":"Owner","data_type":"ownerlookup","lookup":{"module":{"api_name":"users"}}}"""),
    };

    [Fact]
    public void Zohos_field_json_is_read_with_unique_as_an_object_and_the_lookup_target()
    {
        Assert.True(Leads[1].Unique);
        Assert.False(Leads[0].Unique);
        Assert.True(Leads[0].Mandatory);
        Assert.Equal(new[] { "Hot", "Cold" }, Leads[3].PicklistValues);
        Assert.Equal("users", Leads[5].LookupModule);
        Assert.True(Field("""{"api_name":"X","data_type":"text","unique":true}""").Unique);
    }

    [Theory]
    [InlineData("Email", false)]
    [InlineData("Owner", false)]
    [InlineData("Full_Name", false)]
    [InlineData("Rating", true)]
    public void Mass_update_follows_Zohos_rules(string name, bool updatable) => Assert.Equal(updatable, MetadataChecks.Find(Leads, name).MassUpdatable);

    [Theory]
    [InlineData("Ratng", "Rating")]
    [InlineData("last_name", "Last_Name")]
    [InlineData("LastName", "Last_Name")]
    [InlineData("Zzzzzz", null)]
    public void Did_you_mean_finds_close_names_only(string typed, string expected) => Assert.Equal(expected, MetadataChecks.DidYouMean(typed, new[] { "Rating", "Last_Name", "Email" }));

    [Fact]
    public void Mass_update_values_are_checked_against_the_field_type()
    {
        Assert.Null(MetadataChecks.ValueProblem(Leads[2], 42L));
        Assert.Contains("whole number", MetadataChecks.ValueProblem(Leads[2], "42"));
        Assert.Contains("'Warm' is not one of its values (Hot, Cold)", MetadataChecks.ValueProblem(Leads[3], "Warm"));
        Assert.Contains("mandatory", MetadataChecks.ValueProblem(Leads[0], null));
        Assert.Null(MetadataChecks.ValueProblem(Leads[2], null));
    }

    [Theory]
    [InlineData("No_of_Employees", "12", null)]
    [InlineData("No_of_Employees", "1.5", "not a whole number")]
    [InlineData("No_of_Employees", "", null)]
    [InlineData("Rating", "Hot", null)]
    [InlineData("Rating", "hot", "not one of its values")]
    public void Bulk_write_cells_are_checked_against_the_field_type(string field, string cell, string problem) =>
        Assert.Equal(problem, MetadataChecks.CellProblem(MetadataChecks.Find(Leads, field), cell, null));

    [Fact]
    public void Bulk_write_columns_name_the_problem()
    {
        var unknown = Assert.Throws<ZohoValidationException>(() => MetadataChecks.BulkWriteColumns("Leads", Leads, new[] { "Last_Name", "Ratng" }, null, "insert", Array.Empty<string>()));
        Assert.Contains("Did you mean Rating?", unknown.Message);
        var mandatory = Assert.Throws<ZohoValidationException>(() => MetadataChecks.BulkWriteColumns("Leads", Leads, new[] { "Email" }, "Email", "upsert", Array.Empty<string>()));
        Assert.Equal("ZohoCrm.MandatoryFieldMissing", mandatory.Code);
        // A DefaultValue mapping gives the mandatory field; an update needs none.
        MetadataChecks.BulkWriteColumns("Leads", Leads, new[] { "Email" }, "Email", "upsert", new[] { "Last_Name" });
        MetadataChecks.BulkWriteColumns("Leads", Leads, new[] { "Email", "Rating" }, "Email", "update", Array.Empty<string>());
        MetadataChecks.BulkWriteColumns("Leads", Leads, new[] { "Last_Name", "Owner.id" }, null, "insert", Array.Empty<string>());
        var notLookup = Assert.Throws<ZohoValidationException>(() => MetadataChecks.BulkWriteColumns("Leads", Leads, new[] { "Last_Name", "Rating.id" }, null, "insert", Array.Empty<string>()));
        Assert.Contains("is not a lookup", notLookup.Message);
        var findBy = Assert.Throws<ZohoValidationException>(() => MetadataChecks.BulkWriteColumns("Leads", Leads, new[] { "Last_Name" }, "Last_Name", "update", Array.Empty<string>()));
        Assert.Equal("ZohoCrm.FindByNotUnique", findBy.Code);
    }
}
