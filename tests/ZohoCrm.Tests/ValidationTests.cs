using System.Management.Automation;
using System.Reflection;
using ZohoCrm.Cmdlets;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Tests;

/// <summary>
/// The parameter checks PowerShell runs before a cmdlet starts (Cmdlets/Validation.cs, and the patterns and ranges on
/// the cmdlets' parameters). The engine calls ValidateArgumentsAttribute.Validate; here it is called directly.
/// </summary>
public class ValidationTests
{
    private static readonly MethodInfo ValidateMethod =
        typeof(ValidateArgumentsAttribute).GetMethod("Validate", BindingFlags.Instance | BindingFlags.NonPublic, new[] { typeof(object), typeof(EngineIntrinsics) })!;

    private static void Validate(ValidateArgumentsAttribute attribute, object? value)
    {
        try { ValidateMethod.Invoke(attribute, new[] { value, null }); }
        catch (TargetInvocationException ex) when (ex.InnerException != null) { throw ex.InnerException; }
    }

    [Theory]
    [InlineData("738964000002131001")]
    [InlineData("1")]
    [InlineData("123456789012345678901234567890")] // 30 digits
    public void Zoho_ids_are_strings_of_digits(string id) => Validate(new ValidateZohoIdAttribute(), id);

    [Theory]
    [InlineData("")]
    [InlineData("1234567890123456789012345678901")] // 31 digits
    [InlineData("12a")]
    [InlineData(" 123")]
    [InlineData("123 ")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1,2")]
    [InlineData("0x1F")]
    [InlineData("123;DROP")]
    public void Other_ids_are_refused_with_an_example(string id)
    {
        var ex = Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateZohoIdAttribute(), id));
        Assert.Contains($"'{id}' is not a Zoho id", ex.Message);
        Assert.Contains("738964000002131001", ex.Message);
    }

    [Fact]
    public void A_list_of_ids_is_checked_item_by_item()
    {
        Validate(new ValidateZohoIdAttribute(), new[] { "1", "22", "333" });
        Validate(new ValidateZohoIdAttribute(), new object[] { PSObject.AsPSObject("1"), "2" });
        var ex = Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateZohoIdAttribute(), new[] { "1", "x2", "3" }));
        Assert.Contains("'x2'", ex.Message);
    }

    [Fact]
    public void A_wrapped_id_is_unwrapped() => Validate(new ValidateZohoIdAttribute(), PSObject.AsPSObject("42"));

    [Fact]
    public void A_null_inside_a_list_is_refused() =>
        Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateZohoIdAttribute(), new[] { "1", null }));

    [Theory]
    [InlineData("Leads")]
    [InlineData("Deals")]
    [InlineData("Custom_Module1")]
    [InlineData("A")]
    [InlineData("x_")]
    public void Module_API_names_are_letters_digits_and_underscores(string name) => Validate(new ValidateModuleNameAttribute(), name);

    [Fact]
    public void A_module_name_may_have_100_characters_not_101()
    {
        Validate(new ValidateModuleNameAttribute(), "M" + new string('x', 99));
        Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateModuleNameAttribute(), "M" + new string('x', 100)));
    }

    [Theory]
    [InlineData("1Leads")]
    [InlineData("_Leads")]
    [InlineData("Le ads")]
    [InlineData("Leads/../Deals")]
    [InlineData("Leads?x=1")]
    [InlineData("Leads;")]
    [InlineData("Lëads")]
    public void Other_module_names_are_refused(string name)
    {
        var ex = Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateModuleNameAttribute(), name));
        Assert.Contains($"'{name}' is not a module API name", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void An_empty_module_name_is_refused(string? name) =>
        Assert.Contains("The module name is empty", Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateModuleNameAttribute(), name)).Message);

    [Fact]
    public void Every_module_and_id_parameter_is_validated()
    {
        // A parameter named Module, Id, JobId, CustomViewId, TerritoryId or FileId without its check would let bad
        // input reach a URL or a request body.
        var cmdlets = typeof(ZcrmCmdlet).Assembly.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() != null);
        // Get-ZcrmMassUpdateJob -CustomViewId is only carried from a piped job into the output: it is never sent.
        var notSent = new HashSet<string> { "GetZcrmMassUpdateJob.CustomViewId" };
        var checkedParameters = 0;
        foreach (var type in cmdlets)
            foreach (var p in type.GetProperties().Where(p => p.GetCustomAttributes<ParameterAttribute>().Any() && !notSent.Contains(p.DeclaringType!.Name + "." + p.Name)))
            {
                if (p.Name == "Module") { Assert.NotNull(p.GetCustomAttribute<ValidateModuleNameAttribute>()); checkedParameters++; }
                if (p.Name is "Id" or "JobId" or "CustomViewId" or "TerritoryId" or "FileId") { Assert.True(p.GetCustomAttribute<ValidateZohoIdAttribute>() != null, $"{type.Name}.{p.Name}"); checkedParameters++; }
            }
        Assert.True(checkedParameters >= 8, $"only {checkedParameters} parameters found");
    }

    [Theory]
    [InlineData("v8", true)]
    [InlineData("v2", true)]
    [InlineData("v2.1", true)]
    [InlineData("V8", true)] // as PowerShell's own patterns, which ignore case
    [InlineData("8", false)]
    [InlineData("v", false)]
    [InlineData("v8.", false)]
    [InlineData("v8/../x", false)]
    [InlineData("v8 ", false)]
    [InlineData("v8\n", false)]
    [InlineData("v\u0668", false)] // Arabic-Indic eight
    public void Connect_Zcrm_ApiVersion(string value, bool ok)
    {
        Assert.NotNull(typeof(ConnectZcrm).GetProperty("ApiVersion")!.GetCustomAttribute<ValidateApiVersionAttribute>());
        if (ok) Validate(new ValidateApiVersionAttribute(), value);
        else Assert.Contains("is not a Zoho API version", Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateApiVersionAttribute(), value)).Message);
    }

    [Theory]
    [InlineData("4150868000000225013", true)]
    [InlineData("12a", false)]
    [InlineData("", false)]
    [InlineData("123\n", false)] // what Get-Content -Raw gives: would end the HTTP header block
    [InlineData("123\r\nX-Evil: 1", false)]
    [InlineData("\u0661\u0662\u0663", false)]
    public void Connect_Zcrm_OrgId(string value, bool ok)
    {
        Assert.NotNull(typeof(ConnectZcrm).GetProperty("OrgId")!.GetCustomAttribute<ValidateOrgIdAttribute>());
        if (ok) Validate(new ValidateOrgIdAttribute(), value);
        else Assert.Contains("is not a Zoho org id", Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateOrgIdAttribute(), value)).Message);
    }

    [Fact]
    public void A_refused_newline_is_shown_as_a_PowerShell_escape()
    {
        var ex = Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateZohoIdAttribute(), "123\n"));
        Assert.Contains("'123`n' is not a Zoho id", ex.Message);
        ex = Assert.Throws<ValidationMetadataException>(() => Validate(new ValidateModuleNameAttribute(), "Leads\n"));
        Assert.Contains("'Leads`n' is not a module API name", ex.Message);
    }

    [Fact]
    public void Mass_update_batch_size_is_capped_at_Zoho_limit()
    {
        var range = typeof(InvokeZcrmMassUpdate).GetProperty("BatchSize")!.GetCustomAttribute<ValidateRangeAttribute>()!;
        Assert.Equal(1, range.MinRange);
        Assert.Equal(500, range.MaxRange);
        Assert.Equal(500, MassUpdateService.MaxIdsPerCall);
    }
}
