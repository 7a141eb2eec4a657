using System.Management.Automation;
using System.Text.Json.Nodes;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

public class MassUpdateByIdsTests : ModuleTestBase, IClassFixture<EmulatorFixture>
{
    private const string Seed1 = "738964000002131001";
    private const string Seed2 = "738964000002130131";
    private const string NotApproved = "1306462000000496025";
    private const string Locked = "475243000003269880";

    public MassUpdateByIdsTests(EmulatorFixture fixture) : base(fixture) { }

    [Fact]
    public void Seed_success_updates_both_records_and_returns_zoho_details()
    {
        var r = Connected($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees = 1000 }} -Id '{Seed1}','{Seed2}' -OverWrite -Force");
        r.AssertNoErrors();
        var results = r.Of("MassUpdateResult");
        Assert.Equal(new[] { Seed1, Seed2 }, results.Select(x => (string)x.Id));
        Assert.All((IEnumerable<dynamic>)results, x =>
        {
            Assert.Equal("success", x.Status);
            Assert.Equal("SUCCESS", x.Code);
            Assert.Equal("record updated", x.Message);
            Assert.Equal("Leads", x.Module);
            Assert.Equal("Patricia Boyle", x.ModifiedBy);
            Assert.Equal("738964000000291009", x.ModifiedById);
            Assert.Equal("Patricia Boyle", x.CreatedBy);
            Assert.NotNull(x.ModifiedTime);
        });
        Assert.Equal(DateTimeOffset.Parse("2021-05-07T06:23:10+00:00"), results[0].CreatedTime);
        Assert.Equal(1000L, State.GetRecord("Leads", Seed1)!["No_of_Employees"]);
        Assert.Equal(1000L, State.GetRecord("Leads", Seed2)!["No_of_Employees"]);

        // The request is the seed's: data[0] with a number, over_write, ids as strings.
        var body = JsonNode.Parse(MassUpdateCalls().Last().Body)!;
        Assert.Equal(1000, body["data"]![0]!["No_of_Employees"]!.GetValue<long>());
        Assert.True(body["over_write"]!.GetValue<bool>());
        Assert.Equal(new[] { Seed1, Seed2 }, body["ids"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.StartsWith("Zoho-oauthtoken ", MassUpdateCalls().Last().Headers["Authorization"]);
    }

    [Fact]
    public void Per_record_errors_are_result_objects_that_flow_into_Where_Object()
    {
        var unknown = "738964999999999999";
        var r = Connected(
            "$ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Lead_Status = 'Contacted' } -Force | Where-Object Status -eq 'error'",
            new Dictionary<string, object?> { ["ids"] = new[] { Seed1, NotApproved, Seed2, Locked, unknown } });
        r.AssertNoErrors();
        var errors = r.Of("MassUpdateResult");
        Assert.Equal(new[] { NotApproved, Locked, unknown }, errors.Select(e => (string)e.Id));
        Assert.Equal(new[] { "NOT_APPROVED", "RECORD_LOCKED", "INVALID_DATA" }, errors.Select(e => (string)e.Code));
        Assert.Equal("cannot update record that is not approved yet", errors[0].Message);
        Assert.Contains("zia_vision_processing", errors[1].Details);
        Assert.Equal("the id given seems to be invalid", errors[2].Message);
        Assert.Equal("Contacted", State.GetRecord("Leads", Seed1)!["Lead_Status"]);
        Assert.NotEqual("Contacted", State.GetRecord("Leads", NotApproved)!["Lead_Status"]);
    }

    [Fact]
    public void Ids_bind_from_pipeline_objects_by_property_name_Id_or_id()
    {
        var r = Connected(
            "$rows | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force",
            new Dictionary<string, object?>
            {
                ["rows"] = new object[]
                {
                    PSObjectWith("Id", Seed1),
                    PSObjectWith("id", Seed2),
                },
            });
        r.AssertNoErrors();
        Assert.Equal(new[] { Seed1, Seed2 }, r.Of("MassUpdateResult").Select(x => (string)x.Id));
        Assert.Equal("Hot", State.GetRecord("Leads", Seed2)!["Rating"]);
    }

    private static PSObject PSObjectWith(string name, object value)
    {
        var o = new PSObject();
        o.Properties.Add(new PSNoteProperty(name, value));
        return o;
    }

    [Fact]
    public void Ids_1201_go_out_in_three_calls_and_come_back_as_1201_results_in_order()
    {
        var ids = State.GetLeadIds().Skip(4).Take(1201).ToArray();
        Assert.Equal(1201, ids.Length);
        int before = MassUpdateCalls().Count;
        var r = Connected("$ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'Banking' } -Force",
            new Dictionary<string, object?> { ["ids"] = ids });
        r.AssertNoErrors();
        var results = r.Of("MassUpdateResult");
        Assert.Equal(ids, results.Select(x => (string)x.Id));
        Assert.All((IEnumerable<dynamic>)results, x => Assert.Equal("success", x.Status));
        var calls = MassUpdateCalls().Skip(before).ToList();
        Assert.Equal(new[] { 500, 500, 201 }, calls.Select(c => JsonNode.Parse(c.Body)!["ids"]!.AsArray().Count));
        Assert.All((IEnumerable<dynamic>)ids, id => Assert.Equal("Banking", State.GetRecord("Leads", id)!["Industry"]));
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public void BatchSize_sets_the_ids_per_call()
    {
        var ids = State.GetLeadIds().Skip(1300).Take(7).ToArray();
        int before = MassUpdateCalls().Count;
        var r = Connected("Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'Retail' } -Id $ids -BatchSize 3 -Force",
            new Dictionary<string, object?> { ["ids"] = ids });
        r.AssertNoErrors();
        Assert.Equal(7, r.Of("MassUpdateResult").Length);
        Assert.Equal(new[] { 3, 3, 1 }, MassUpdateCalls().Skip(before).Select(c => JsonNode.Parse(c.Body)!["ids"]!.AsArray().Count));
    }

    [Fact]
    public void WhatIf_sends_no_request_and_changes_nothing()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        int before = State.Requests.Count;
        var r = Ps.Invoke($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees = 4242 }} -Id '{Seed1}' -WhatIf; " +
                          "Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 4242 } -CustomViewId 738964000000091563 -WhatIf -Force");
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        Assert.Equal(before, State.Requests.Count);
        Assert.NotEqual(4242L, State.GetRecord("Leads", Seed1)!["No_of_Employees"]);
    }

    [Fact]
    public void Force_never_overrides_an_inherited_WhatIf()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        int before = State.Requests.Count;
        // A wrapper script that supports -WhatIf passes it down as $WhatIfPreference.
        var r = Ps.Invoke($"function Update-Wrapper {{ [CmdletBinding(SupportsShouldProcess)] param() Invoke-ZcrmMassUpdate Leads @{{ No_of_Employees = 4343 }} -Id '{Seed1}' -Force }}; Update-Wrapper -WhatIf; " +
                          "$WhatIfPreference = $true; Invoke-ZcrmMassUpdate Leads @{ No_of_Employees = 4343 } -Id " + Seed1 + " -Force; $WhatIfPreference = $false");
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        Assert.Equal(before, State.Requests.Count);
    }

    [Fact]
    public void A_request_level_rejection_names_the_failed_batch_and_every_id_not_sent()
    {
        var ids = State.GetLeadIds().Skip(4).Take(1201).ToArray();
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        int before = MassUpdateCalls().Count;
        var r = Ps.Invoke("Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1 } -Id $ids -Force", new Dictionary<string, object?> { ["ids"] = ids });
        Assert.NotNull(r.Terminating);
        Assert.Equal(ids, (string[])r.Terminating!.TargetObject);
        Assert.Contains("500 Leads id(s) not updated", r.Terminating.Exception.Message);
        Assert.Contains("701 more id(s) were not sent", r.Terminating.Exception.Message);
        Assert.Single(MassUpdateCalls().Skip(before)); // one call, then the command stopped
    }

    [Fact]
    public void Values_keep_their_json_types()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        var when = new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.Zero);
        var cases = new (string Script, string Field, Func<JsonNode?, bool> Check)[]
        {
            ("@{ Email_Opt_Out = $true }", "Email_Opt_Out", n => n!.GetValueKind() == System.Text.Json.JsonValueKind.True),
            ("@{ Annual_Revenue = 1234.5 }", "Annual_Revenue", n => n!.GetValue<double>() == 1234.5),
            ("@{ Phone = $null }", "Phone", n => n is null),
            ("@{ Phone = '00123' }", "Phone", n => n!.GetValue<string>() == "00123"),
            ("@{ Last_Contacted = [datetimeoffset]'2024-03-01T09:30:00+00:00' }", "Last_Contacted", n => n!.GetValue<string>() == "2024-03-01T09:30:00+00:00"),
            ("@{ Last_Contacted = [datetime]::SpecifyKind([datetime]'2024-03-01 09:30:00', 'Utc') }", "Last_Contacted", n => n!.GetValue<string>() == "2024-03-01T09:30:00+00:00"),
            ("@{ Interests = @('Cloud', 'AI') }", "Interests", n => n!.AsArray().Select(x => x!.GetValue<string>()).SequenceEqual(new[] { "Cloud", "AI" })),
        };
        foreach (var (script, field, check) in cases)
        {
            var r = Ps.Invoke($"Invoke-ZcrmMassUpdate -Module Leads -Data {script} -Id '{Seed2}' -Force");
            r.AssertNoErrors();
            var sent = JsonNode.Parse(MassUpdateCalls().Last().Body)!["data"]![0]![field];
            Assert.True(check(sent), $"{script} was sent as {sent?.ToJsonString() ?? "null"}");
            Assert.Equal("success", r.Of("MassUpdateResult").Single().Status);
        }
    }

    [Fact]
    public void Seed_INVALID_DATA_field_is_a_terminating_error_with_zoho_code_field_and_the_ids()
    {
        var r = Connected($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees1 = 1000 }} -Id '{Seed1}','{Seed2}' -Force");
        var e = r.Terminating;
        Assert.NotNull(e);
        Assert.Equal("INVALID_DATA", e!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        Assert.Contains("This field cannot be updated in the Mass Update", e.Exception.Message);
        Assert.Contains("No_of_Employees1", e.Exception.Message);
        Assert.Contains(Seed1, e.Exception.Message);
        Assert.Equal(new[] { Seed1, Seed2 }, (string[])e.TargetObject);
        var inner = Zoho(e.Exception.InnerException);
        Assert.Equal("INVALID_DATA", inner.Code);
        Assert.Equal(200, inner.HttpStatus);
        Assert.Equal("No_of_Employees1", inner.Details["api_name"]);
    }

    [Fact]
    public void A_bad_id_in_the_pipeline_is_reported_and_the_others_are_updated()
    {
        var r = Connected("$ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Warm' } -Force",
            new Dictionary<string, object?> { ["ids"] = new[] { Seed1, "12x", Seed2 } });
        Assert.Equal(new[] { Seed1, Seed2 }, r.Of("MassUpdateResult").Select(x => (string)x.Id));
        var error = Assert.Single(r.Errors);
        Assert.Contains("'12x' is not a Zoho id", error.Exception.Message);
    }

    [Fact]
    public void Seed_AUTHENTICATION_FAILURE_is_an_authentication_error()
    {
        Ps.Set("badToken", PsSession.Secure("1000.not-a-token"));
        var r = Ps.Invoke($"Connect-Zcrm -ApiDomain $emu -AccessToken $badToken; Invoke-ZcrmMassUpdate -Module Leads -Data @{{ Rating = 'Hot' }} -Id '{Seed1}' -Force");
        var e = r.Terminating;
        Assert.NotNull(e);
        Assert.Equal("AUTHENTICATION_FAILURE", e!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
        Assert.Contains("Authentication failed", e.Exception.Message);
        Assert.Equal(401, Zoho(e.Exception.InnerException).HttpStatus);
    }

    [Fact]
    public void Without_a_connection_the_cmdlet_says_to_connect_and_sends_nothing()
    {
        int before = State.Requests.Count;
        var r = Ps.Invoke($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ Rating = 'Hot' }} -Id '{Seed1}' -Force");
        Assert.Equal("ZohoCrm.NotConnected", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("Connect-Zcrm", r.Terminating.Exception.Message);
        Assert.Equal(before, State.Requests.Count);
    }
}
