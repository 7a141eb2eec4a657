using System.Linq;
using System.Management.Automation;
using Xunit;
using ZohoCrm.Cmdlets;

namespace ZohoCrm.Tests;

/// <summary>Objects made from a precomputed shape (Cmdlets/NoteObjectShape.cs) are the objects the public way makes.</summary>
public class NoteObjectShapeTests
{
    private static PSObject Public(string typeName, string[] names, object?[] values)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, typeName);
        for (int i = 0; i < names.Length; i++) o.Properties.Add(new PSNoteProperty(names[i], values[i]));
        return o;
    }

    private static void AssertSame(PSObject expected, PSObject actual)
    {
        Assert.Equal(expected.TypeNames, actual.TypeNames);
        Assert.Equal(expected.Properties.Select(p => (p.Name, p.Value, p.MemberType)), actual.Properties.Select(p => (p.Name, p.Value, p.MemberType)));
        Assert.IsType<PSCustomObject>(actual.BaseObject);
    }

    [Fact]
    public void Every_object_of_a_shape_has_the_public_ways_type_names_properties_and_values()
    {
        string[] names = { "RowNumber", "Last_Name", "Status", "Errors" };
        var shape = new NoteObjectShape("ZohoCrm.BulkWriteResultRow", names);
        for (long row = 1; row <= 4; row++)
        {
            var values = new object?[] { row, "Name " + row, row % 2 == 0 ? "added" : "skipped", null };
            var o = shape.New(values);
            AssertSame(Public("ZohoCrm.BulkWriteResultRow", names, values), o);
            Assert.Equal("Name " + row, o.Properties["last_name"].Value); // names ignore case, as PowerShell's do
        }
        Assert.True(shape.IsFast); // on PowerShell 7 the later objects are made the fast way, so this compared both ways
    }

    [Fact]
    public void Objects_of_a_shape_do_not_share_their_type_names_or_members()
    {
        var shape = new NoteObjectShape("T.Row", new[] { "A" });
        var first = shape.New(new object[] { 1 });
        var second = shape.New(new object[] { 2 });
        var third = shape.New(new object[] { 3 });
        second.TypeNames.Insert(0, "Mine");
        second.Properties.Add(new PSNoteProperty("Extra", 1));
        second.Properties["A"].Value = 20;
        Assert.Equal("Mine", second.TypeNames[0]);
        Assert.Equal(new[] { "T.Row", "System.Management.Automation.PSCustomObject", "System.Object" }, third.TypeNames);
        Assert.Null(third.Properties["Extra"]);
        Assert.Equal(new object[] { 1, 20, 3 }, new[] { first, second, third }.Select(o => o.Properties["A"].Value));
    }

    [Fact]
    public void A_repeated_name_is_one_property_in_its_first_place_with_the_last_value_as_the_public_way_makes_it()
    {
        string[] names = { "RowNumber", "Status", "RecordId", "Status" };
        var shape = new NoteObjectShape("T.Row", names);
        var values = new object?[] { 1L, "first", "9", "last" };
        shape.New(values);
        AssertSame(Public("T.Row", names, values), shape.New(values));
    }
}
