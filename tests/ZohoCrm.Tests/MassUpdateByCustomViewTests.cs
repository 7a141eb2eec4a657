using System.Management.Automation;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

public class FastJobsFixture : EmulatorFixture
{
    protected override void Configure(EmulatorOptions options)
    {
        options.JobStepDelay = TimeSpan.FromMilliseconds(100);
    }
}

public class MassUpdateByCustomViewTests : ModuleTestBase, IClassFixture<FastJobsFixture>
{
    private const string AllLeadsView = "738964000000091563";
    private const string NotContactedView = "738964000000091570";

    public MassUpdateByCustomViewTests(FastJobsFixture fixture) : base(fixture) { }

    [Fact]
    public void Seed_success_schedules_a_job_and_Wait_ends_with_the_emulators_final_counts()
    {
        var r = Connected($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees = 77 }} -CustomViewId {AllLeadsView} -Wait -Force");
        r.AssertNoErrors();
        var job = Assert.Single(r.Of("MassUpdateJob"));
        var snapshot = State.GetMassUpdateJob(job.JobId)!;
        Assert.Equal("COMPLETED", job.Status);
        Assert.Equal("COMPLETED", snapshot.Status);
        Assert.Equal(snapshot.TotalCount, job.TotalCount);
        Assert.Equal(snapshot.UpdatedCount, job.UpdatedCount);
        Assert.Equal(snapshot.FailedCount, job.FailedCount);
        Assert.Equal(snapshot.NotUpdatedCount, job.NotUpdatedCount);
        Assert.Equal(AllLeadsView, job.CustomViewId);
        Assert.True(job.TotalCount > 2000);
        Assert.Equal(2L, job.FailedCount); // the seed's not-approved and locked Leads
        Assert.Equal(77L, State.GetRecord("Leads", "738964000002131001")!["No_of_Employees"]);
        // The request is the seed's: data[0] and cvid, no ids.
        var body = JsonNode.Parse(MassUpdateCalls().Last().Body)!;
        Assert.Equal(AllLeadsView, body["cvid"]!.GetValue<string>());
        Assert.Null(body["ids"]);
        Assert.Contains(r.Progress, p => p.PercentComplete > 0);
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public void Without_Wait_the_job_comes_back_scheduled_and_pipes_into_Get_ZcrmMassUpdateJob_Wait()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        var first = Ps.Invoke($"Invoke-ZcrmMassUpdate Deals @{{ Stage = 'Qualification'; Probability = 10 }} -CustomViewId 738964000000095001 -Force");
        first.AssertNoErrors();
        var scheduled = Assert.Single(first.Of("MassUpdateJob"));
        Assert.Equal("SCHEDULED", scheduled.Status);
        Assert.Matches("^[0-9]+$", scheduled.JobId);

        var r = Ps.Invoke($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ Rating = 'Cold' }} -CustomViewId {NotContactedView} -Force | Get-ZcrmMassUpdateJob -Wait");
        r.AssertNoErrors();
        var job = Assert.Single(r.Of("MassUpdateJob"));
        Assert.Equal("COMPLETED", job.Status);
        Assert.Equal(NotContactedView, job.CustomViewId);
        Assert.Equal(State.GetMassUpdateJob(job.JobId)!.UpdatedCount, job.UpdatedCount);

        var deal = Ps.Invoke($"Get-ZcrmMassUpdateJob Deals {scheduled.JobId} -Wait -Timeout 60");
        deal.AssertNoErrors();
        Assert.Equal("COMPLETED", deal.Of("MassUpdateJob").Single().Status);
    }

    [Fact]
    public void Seed_INVALID_DATA_cvid_names_the_cvid()
    {
        var r = Connected("Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 1000 } -CustomViewId 73896400000009156 -Force");
        var e = r.Terminating!;
        Assert.Equal("INVALID_DATA", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("the cvid given seems to be invalid", e.Exception.Message);
        Assert.Contains("api_name: cvid", e.Exception.Message);
        Assert.Equal("73896400000009156", e.TargetObject);
    }

    [Fact]
    public void Seed_INVALID_DATA_field_in_view_mode()
    {
        var r = Connected($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees1 = 1000 }} -CustomViewId {AllLeadsView} -Force");
        Assert.Equal("INVALID_DATA", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("No_of_Employees1", r.Terminating.Exception.Message);
    }

    [Fact]
    public void Seed_ALREADY_SCHEDULED_is_a_resource_busy_error()
    {
        // A slow emulator of its own, so the first job is still running.
        var r = WithSlowEmulator(ps =>
        {
            ps.Invoke(ConnectRefresh).AssertNoErrors();
            ps.Invoke($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees = 1 }} -CustomViewId {AllLeadsView} -Force").AssertNoErrors();
            return ps.Invoke($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees = 2 }} -CustomViewId {AllLeadsView} -Force");
        });
        var e = r.Terminating!;
        Assert.Equal("ALREADY_SCHEDULED", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ResourceBusy, e.CategoryInfo.Category);
        Assert.Contains("Already an Mass Action scheduler is runing for the given cvid", e.Exception.Message);
        Assert.Equal(400, Zoho(e.Exception).HttpStatus);
    }

    [Fact]
    public void Wait_Timeout_returns_the_last_state_and_an_error_saying_the_job_goes_on()
    {
        var r = WithSlowEmulator(ps =>
        {
            ps.Invoke(ConnectRefresh).AssertNoErrors();
            return ps.Invoke($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees = 3 }} -CustomViewId {AllLeadsView} -Wait -Timeout 1 -Force");
        });
        var job = Assert.Single(r.Of("MassUpdateJob"));
        Assert.False(job.IsFinished);
        var e = Assert.Single(r.Errors);
        Assert.Equal("ZohoCrm.WaitTimeout", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("Get-ZcrmMassUpdateJob", e.Exception.Message);
        Assert.Contains(job.JobId, e.Exception.Message);
    }

    [Fact]
    public void Ctrl_C_stops_Wait_at_once()
    {
        WithSlowEmulator(ps =>
        {
            ps.Invoke(ConnectRefresh).AssertNoErrors();
            using var shell = PowerShell.Create();
            shell.Runspace = ps.Runspace;
            shell.AddScript($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ No_of_Employees = 5 }} -CustomViewId {AllLeadsView} -Wait -Force");
            var async = shell.BeginInvoke();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (shell.Streams.Progress.Count == 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.NotEmpty(shell.Streams.Progress);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            shell.Stop();
            Assert.True(async.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"Stop took {watch.Elapsed}");
            Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
            return new PsResult();
        });
    }

    [Fact]
    public void Unknown_job_is_NOT_FOUND()
    {
        var r = Connected("Get-ZcrmMassUpdateJob -Module Leads -JobId 123456789");
        var e = Assert.Single(r.Errors);
        Assert.Equal("NOT_FOUND", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
    }

    [Fact]
    public void Empty_view_is_NO_RECORDS_FOUND()
    {
        var r = Connected("Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId 738964000000091999 -Force");
        Assert.Equal("NO_RECORDS_FOUND", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void Territory_goes_into_the_request()
    {
        var r = Connected($"Invoke-ZcrmMassUpdate -Module Leads -Data @{{ Rating = 'Hot' }} -CustomViewId {NotContactedView} -TerritoryId 738964000000300001 -IncludeChildTerritories -Force");
        r.AssertNoErrors();
        var body = JsonNode.Parse(MassUpdateCalls().Last().Body)!;
        Assert.Equal("738964000000300001", body["territory"]!["id"]!.GetValue<string>());
        Assert.True(body["territory"]!["include_child"]!.GetValue<bool>());
    }

    private static PsResult WithSlowEmulator(Func<PsSession, PsResult> test)
    {
        var options = new EmulatorOptions { JobStepDelay = TimeSpan.FromSeconds(30) };
        using var t = new OwnEmulator(options);
        return test(t.Ps);
    }

}
