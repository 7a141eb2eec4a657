using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>
/// The one set of input rules (Http/InputRules.cs) behind every parameter check and the services' own guards: whole
/// string, ASCII only. A trailing newline is what `Get-Content -Raw` gives; Unicode digits are what \d would let in.
/// </summary>
public class InputRulesTests
{
    public static readonly TheoryData<string> NotIds = new()
    {
        "123\n", "123\r\n", "\n123", "12\n3", "123\r", "123\t", "123\0", " 123", "123 ",
        "\u0661\u0662\u0663",   // Arabic-Indic digits
        "12\u0663",             // one of them at the end
        "\uFF11\uFF12",         // fullwidth digits
        "\u0967",               // Devanagari one
        "1\u200B2",             // zero-width space
        "", "1234567890123456789012345678901",
    };

    [Theory]
    [MemberData(nameof(NotIds))]
    public void Ids_are_whole_strings_of_ASCII_digits(string value)
    {
        Assert.False(InputRules.IsZohoId(value));
        var ex = Assert.Throws<ZohoValidationException>(() => InputRules.RequireZohoId(value, "JobId"));
        Assert.Equal("ZohoCrm.InvalidId", ex.Code);
        Assert.Equal("JobId", ex.ParameterName);
        Assert.StartsWith("-JobId '", ex.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("738964000002131001")]
    [InlineData("123456789012345678901234567890")]
    public void Ids_of_1_to_30_ASCII_digits_pass(string value) => Assert.Equal(value, InputRules.RequireZohoId(value, "Id"));

    [Theory]
    [InlineData("Leads\n")]
    [InlineData("Leads\r\n")]
    [InlineData("Lead\u212A")]     // Kelvin sign: IgnoreCase would match it as k
    [InlineData("Le\u0430ds")]     // Cyrillic a
    [InlineData("Leads\u0661")]    // Arabic-Indic one
    [InlineData("\u0130nvoices")]  // dotted capital I
    [InlineData("Leads/../x")]
    [InlineData("")]
    [InlineData(null)]
    public void Module_names_are_whole_strings_of_ASCII(string? value)
    {
        Assert.False(InputRules.IsModuleName(value!));
        Assert.Equal("ZohoCrm.InvalidModule", Assert.Throws<ZohoValidationException>(() => InputRules.RequireModuleName(value!, "Module")).Code);
    }

    [Theory]
    [InlineData("Leads", true)]
    [InlineData("Custom_Module1", true)]
    [InlineData("Leads\n", false)]
    public void Module_names(string value, bool ok) => Assert.Equal(ok, InputRules.IsModuleName(value));

    [Theory]
    [InlineData("Last_Name", true)]
    [InlineData("No_of_Employees", true)]
    [InlineData("Account_Name.id", true)]
    [InlineData("Last_Name\n", false)]
    [InlineData("Last Name", false)]
    [InlineData("Last_Name.", false)]
    [InlineData("a.b.c", false)]
    [InlineData("Nam\u00E9", false)]
    [InlineData("Rating\u0663", false)]
    [InlineData("", false)]
    public void Field_names(string value, bool ok) => Assert.Equal(ok, InputRules.IsFieldName(value));

    [Theory]
    [InlineData("v8", true)]
    [InlineData("v2.1", true)]
    [InlineData("v8\n", false)]
    [InlineData("v\u0668", false)]
    [InlineData("v8.1.2", false)]
    public void Api_versions(string value, bool ok) => Assert.Equal(ok, InputRules.IsApiVersion(value));

    [Theory]
    [InlineData("123\n", "'123`n'")]
    [InlineData("a\r\nb\t\0", "'a`r`nb`t`0'")]
    [InlineData("\u0661\u0662", "'`u{0661}`u{0662}'")]
    [InlineData("1\u200B2", "'1`u{200B}2'")]
    [InlineData("L\u00EBads", "'L\u00EBads'")] // a visible letter stays as it is
    [InlineData(null, "$null")]
    public void Messages_show_what_cannot_be_seen(string? value, string shown) => Assert.Equal(shown, InputRules.Show(value));
}

/// <summary>The org id Zoho's answer names becomes the X-CRM-ORG header: it follows the same rule as -OrgId.</summary>
public class OrgIdFromZohoTests
{
    [Theory]
    [InlineData("4150868000000225013\r\nX-Evil: 1")]
    [InlineData("\u0664\u0661\u0665")]
    public async Task An_org_id_in_the_answer_that_is_not_digits_is_refused(string zgid)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { org = new[] { new { zgid } } });
        var connection = Infrastructure.Fake.Connection(Infrastructure.FakeHandler.Always(200, body), orgId: null);
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => connection.GetOrgIdAsync(CancellationToken.None));
        Assert.Equal("ZohoCrm.NoOrgId", ex.Code);
        Assert.Contains("which is not an org id", ex.Message);
    }

    [Fact]
    public async Task A_digit_org_id_in_the_answer_is_used()
    {
        var connection = Infrastructure.Fake.Connection(Infrastructure.FakeHandler.Always(200, "{\"org\":[{\"zgid\":\"4150868000000225013\"}]}"), orgId: null);
        Assert.Equal("4150868000000225013", await connection.GetOrgIdAsync(CancellationToken.None));
    }
}
