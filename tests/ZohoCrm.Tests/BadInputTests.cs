using System.IO.Compression;
using System.Text;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

/// <summary>Bad files for the table below, made once per run.</summary>
public sealed class BadInputFixture : EmulatorFixture, IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("zcrm-bad-input").FullName;

    public BadInputFixture()
    {
        File.WriteAllText(Path.Combine(Dir, "ragged.csv"), "Last_Name,Email\r\na,a@x.com\r\nb\r\n");
        File.WriteAllBytes(Path.Combine(Dir, "latin1.csv"), Encoding.Latin1.GetBytes("Last_Name\r\nZo\u00eb\r\n"));
        using (var zip = ZipFile.Open(Path.Combine(Dir, "two.zip"), ZipArchiveMode.Create)) { zip.CreateEntry("a.csv"); zip.CreateEntry("b.csv"); }
        using (var zip = ZipFile.Open(Path.Combine(Dir, "notcsv.zip"), ZipArchiveMode.Create)) zip.CreateEntry("data.xlsx");
        File.WriteAllText(Path.Combine(Dir, "open-quote.csv"), "Last_Name\r\n\"never closed\r\n");
        File.WriteAllText(Path.Combine(Dir, "empty.csv"), "");
        File.WriteAllText(Path.Combine(Dir, "dup-header.csv"), "Last_Name,last_name\r\na,b\r\n");
        File.WriteAllText(Path.Combine(Dir, "wide.csv"), string.Join(",", Enumerable.Range(1, 201).Select(i => "C" + i)) + "\r\n" + string.Join(",", Enumerable.Range(1, 201)) + "\r\n");
        File.WriteAllText(Path.Combine(Dir, "good.csv"), "Last_Name\r\nok\r\n");
    }

    void IDisposable.Dispose() { try { Directory.Delete(Dir, true); } catch (IOException) { } }
}

/// <summary>
/// Issue 4's table of bad inputs, one test per row: each gives a clear error naming the problem, sends no request when
/// the module can see the problem itself, and shows no .NET stack trace. (Bad answers from the server are in
/// ReliabilityTests.Broken_answers_become_clear_errors_without_stack_traces.)
/// </summary>
public class BadInputTests : ModuleTestBase, IClassFixture<BadInputFixture>
{
    private const string Id = "738964000002131001";
    private readonly BadInputFixture _fixture;

    public BadInputTests(BadInputFixture fixture) : base(fixture) { _fixture = fixture; }

    public static TheoryData<string, string, string> Table => new()
    {
        // Mass update
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{} -Id " + Id + " -Force", "ZohoCrm.NoField", "-Data has no field" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot'; Industry = 'x' } -Id " + Id + " -Force", "ZohoCrm.TooManyFields", "at most 1 field" },
        { "Invoke-ZcrmMassUpdate -Module Deals -Data @{ Stage = 'a'; Amount = 1; Probability = 2; Closing_Date = '2024-01-01' } -Id 1 -Force", "ZohoCrm.TooManyFields", "at most 3 fields" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id 'abc' -Force", "ParameterArgumentValidationError", "'abc' is not a Zoho id" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id ('9' * 31) -Force", "ParameterArgumentValidationError", "is not a Zoho id" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id '' -Force", "ParameterArgumentValidationError", "Id" },
        { "Invoke-ZcrmMassUpdate -Module '' -Data @{ Rating = 'Hot' } -Id 1 -Force", "ParameterArgumentValidationError", "Module" },
        { "Invoke-ZcrmMassUpdate -Module 'Le ads' -Data @{ Rating = 'Hot' } -Id 1 -Force", "ParameterArgumentValidationError", "is not a module API name" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ 'Lead Status' = 'Hot' } -Id 1 -Force", "ZohoCrm.InvalidFieldName", "not a field API name" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Annual_Revenue = [double]::NaN } -Id 1 -Force", "ZohoCrm.InvalidValue", "Annual_Revenue" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data 'Rating=Hot' -Id 1 -Force", "CannotConvertArgumentNoMessage", "Data" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Force", "", "Id" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id 1 -BatchSize 0 -Force", "ParameterArgumentValidationError", "BatchSize" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id 1 -BatchSize 501 -Force", "ParameterArgumentValidationError", "BatchSize" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id 1 -BatchSize many -Force", "CannotConvertArgumentNoMessage", "BatchSize" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId 1 -IncludeChildTerritories -Force", "ZohoCrm.MissingTerritory", "-TerritoryId" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId 1 -Timeout 5 -Force", "ZohoCrm.TimeoutWithoutWait", "-Wait" },
        { "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId 1 -Wait -Timeout -1 -Force", "ParameterArgumentValidationError", "Timeout" },
        // Bulk write: pipeline input and parameters
        { "@{ Last_Name = 'a' }, @{ Last_Name = 'b'; Extra = 1 } | New-ZcrmBulkWriteJob Leads", "ZohoCrm.UnknownColumn", "Row 2 has the property 'Extra'" },
        { "@{ Last_Name = 'a' }, $null | New-ZcrmBulkWriteJob Leads", "ZohoCrm.NullRow", "Row 2 of the input is $null" },
        { "@{ Email = 'a@b.c' } | New-ZcrmBulkWriteJob Contacts -Operation update", "ZohoCrm.FindByRequired", "-FindBy" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -Operation delete", "ParameterArgumentValidationError", "Operation" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -CallbackUrl /relative/path", "ZohoCrm.InvalidCallbackUrl", "not an absolute http(s) URL" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -CallbackUrl ftp://example.com/x", "ZohoCrm.InvalidCallbackUrl", "ftp://example.com/x" },
        { "$o = [ordered]@{}; 1..201 | ForEach-Object { $o[\"C$_\"] = $_ }; $o | New-ZcrmBulkWriteJob Leads", "ZohoCrm.TooManyColumns", "201 columns" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = 'Nope' }", "ZohoCrm.InvalidFieldMapping", "column 'Nope'" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = @{ Col = 'Last_Name' } }", "ZohoCrm.InvalidFieldMapping", "unknown key 'Col'" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = @{ Column = 'Last_Name'; Index = 0 } }", "ZohoCrm.InvalidFieldMapping", "both Column and Index" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = 7 }", "ZohoCrm.InvalidFieldMapping", "column index 7" },
        { "@{ Last_Name = @{ nested = 1 } } | New-ZcrmBulkWriteJob Leads", "ZohoCrm.InvalidValue", "Account_Name.id" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -Timeout 5", "ZohoCrm.TimeoutWithoutWait", "-Wait" },
        { "@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -CharacterEncoding utf-8", "ZohoCrm.EncodingNotApplicable", "-CharacterEncoding" },
        { "New-ZcrmBulkWriteJob Leads -FileId 12ab", "ParameterArgumentValidationError", "is not a Zoho id" },
        // Bulk write: files
        { "New-ZcrmBulkWriteJob Leads -Path ./does-not-exist.csv", "ZohoCrm.FileNotFound", "does-not-exist.csv" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/ragged.csv\"", "ZohoCrm.RaggedRow", "Row 2 (line 3)" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/latin1.csv\"", "ZohoCrm.InvalidEncoding", "-CharacterEncoding" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/good.csv\" -CharacterEncoding klingon", "ZohoCrm.UnknownEncoding", "klingon" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/two.zip\"", "ZohoCrm.InvalidZip", "2 file(s)" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/notcsv.zip\"", "ZohoCrm.InvalidZip", "exactly one .csv" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/open-quote.csv\"", "ZohoCrm.InvalidCsv", "quoted field" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/empty.csv\"", "ZohoCrm.EmptyCsv", "is empty" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/dup-header.csv\"", "ZohoCrm.DuplicateColumn", "twice" },
        { "New-ZcrmBulkWriteJob Leads -Path \"$bad/wide.csv\"", "ZohoCrm.TooManyColumns", "201 columns" },
        // Connection
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain http://crm.example.com", "ZohoCrm.InsecureUrl", "plain http" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -AccountsUrl http://10.1.2.3", "ZohoCrm.InsecureUrl", "-AccountsUrl" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain crm.example.com", "ZohoCrm.InvalidUrl", "not an absolute http(s) URL" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain ftp://crm.example.com", "ZohoCrm.InvalidUrl", "-ApiDomain" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain 'https://me:pw@crm.example.com'", "ZohoCrm.InvalidUrl", "without user info" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiVersion 8", "ParameterArgumentValidationError", "ApiVersion" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -DataCenter XX", "CannotConvertArgumentNoMessage", "DataCenter" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -TimeoutSec 0", "ParameterArgumentValidationError", "TimeoutSec" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -RetryBaseDelay '00:05:00'", "ZohoCrm.InvalidRetryDelay", "-RetryBaseDelay" },
        { "Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken ([securestring]::new())", "ZohoCrm.EmptyToken", "-RefreshToken is empty" },
        { "Connect-Zcrm -AccessToken $accessToken -ClientId $clientId", "AmbiguousParameterSet", "Parameter set cannot be resolved" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Bad_input_gives_a_clear_error_before_any_request(string script, string errorId, string text)
    {
        Ps.Invoke(ConnectStatic).AssertNoErrors();
        Ps.Set("bad", _fixture.Dir);
        int before = State.Requests.Count;
        var r = Ps.Invoke(script);
        var error = r.AllErrors.FirstOrDefault();
        Assert.NotNull(error);
        Assert.StartsWith(errorId, error!.FullyQualifiedErrorId);
        Assert.Contains(text, error.Exception.Message);
        Assert.DoesNotContain("   at ", error.Exception.Message);
        Assert.DoesNotContain(r.Output, o => o.BaseObject.GetType().FullName!.StartsWith("ZohoCrm."));
        Assert.Equal(before, State.Requests.Count);
    }

    [Theory]
    [InlineData("Invoke-ZcrmMassUpdate -Module Leadz -Data @{ Rating = 'Hot' } -Id " + Id + " -Force", "INVALID_MODULE", "the module name given seems to be invalid")]
    [InlineData("Invoke-ZcrmMassUpdate -Module Leads -Data @{ Ratingg = 'Hot' } -Id " + Id + " -Force", "INVALID_DATA", "Ratingg")]
    [InlineData("Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 'many' } -Id " + Id + " -Force", "INVALID_DATA", "No_of_Employees")]
    [InlineData("@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leadz", "MODULE_NOT_AVAILABLE", "Leadz")]
    [InlineData("@{ Last_Name = 'a' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Namez = 'Last_Name' }", "INVALID_FIELD_NAME", "Last_Namez")]
    public void Unknown_modules_and_fields_are_Zohos_clear_errors(string script, string errorId, string text)
    {
        Ps.Invoke(ConnectStatic).AssertNoErrors();
        var r = Ps.Invoke(script);
        var error = r.AllErrors.Single();
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(text, error.Exception.Message);
        Assert.DoesNotContain("   at ", error.Exception.Message);
    }
}
