using System.Management.Automation;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

/// <summary>
/// Issue 4: faults injected by the emulator (throttling, server errors, dropped connections before and after
/// processing, slow answers, expiring tokens, broken bodies) and what the module must guarantee under them:
/// every record done or reported, no endless wait, Ctrl+C within a second.
/// </summary>
public class ReliabilityTests
{
    private static OwnEmulator Start(EmulatorOptions? options = null, string connectExtra = "")
    {
        options ??= new EmulatorOptions();
        options.RefreshLimit = 100_000;
        var t = new OwnEmulator(options);
        t.Ps.Invoke(t.Connect + " " + connectExtra).AssertNoErrors();
        return t;
    }

    private static void Transient(EmulatorState state, string path, double share, string? method = null)
    {
        // A mix of passing failures, each a share of the matching calls.
        var kinds = new[] { FaultKind.TooManyRequests, FaultKind.TooManyRequestsRetryAfterDetail, FaultKind.ServerError, FaultKind.ServiceUnavailableHtml, FaultKind.DropBeforeProcessing, FaultKind.DropAfterProcessing };
        foreach (var kind in kinds)
            state.AddFault(new FaultRule { Kind = kind, PathContains = path, Method = method, Probability = share / kinds.Length, RetryAfterSeconds = 0 });
    }

    [Fact]
    public void Mass_update_of_10000_ids_with_30_percent_of_calls_failing_reports_every_id_once()
    {
        using var t = Start(new EmulatorOptions { GeneratedLeadCount = 10_000 }, "-MaxRetryCount 8");
        var ids = t.Host.State.GetLeadIds().Skip(4).Take(10_000).ToArray();
        Transient(t.Host.State, "/actions/mass_update", 0.30);
        var r = t.Ps.Invoke("$ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Flaky' } -Force",
            new Dictionary<string, object?> { ["ids"] = ids });
        // Every transient failure was retried away: 10,000 results, in input order, none twice, none missing.
        r.AssertNoErrors();
        var results = r.Of("MassUpdateResult").Select(x => (string)x.Id).ToList();
        Assert.Equal(ids, results);
        Assert.All(r.Of("MassUpdateResult"), x => Assert.Equal("success", (string)x.Status));
        Assert.True(t.Host.State.InjectedFaults.Count > 5, $"only {t.Host.State.InjectedFaults.Count} faults were injected");
        // Every id reported as updated really is.
        Assert.All(r.Of("MassUpdateResult").Where(x => (string)x.Status == "success"), x => Assert.Equal("Flaky", t.Host.State.GetRecord("Leads", (string)x.Id)!["Rating"]));
    }

    [Fact]
    public void Bulk_write_of_60001_rows_with_faults_on_upload_create_and_polling_accounts_for_every_row()
    {
        using var t = Start(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(50), GeneratedLeadCount = 0 });
        var s = t.Host.State;
        s.AddFault(new FaultRule { Kind = FaultKind.TooManyRequestsRetryAfterHeader, PathContains = "/upload", Times = 1, RetryAfterSeconds = 0 });
        s.AddFault(new FaultRule { Kind = FaultKind.DropBeforeProcessing, PathContains = "/upload", Skip = 1, Times = 1 });
        s.AddFault(new FaultRule { Kind = FaultKind.TooManyRequests, Method = "POST", PathContains = "/crm/bulk/", Times = 1, RetryAfterSeconds = 0 });
        // The second job's create fails with a server error: Zoho may or may not have made the job, so it is not sent again.
        s.AddFault(new FaultRule { Kind = FaultKind.ServerError, Method = "POST", PathContains = "/crm/bulk/", Skip = 1, Times = 1 });
        s.AddFault(new FaultRule { Kind = FaultKind.ServiceUnavailableHtml, Method = "GET", PathContains = "/crm/bulk/", Probability = 0.3 });
        s.AddFault(new FaultRule { Kind = FaultKind.DropAfterProcessing, Method = "GET", PathContains = ".zip", Times = 1 });
        var r = t.Ps.Invoke("1..60001 | ForEach-Object { @{ Last_Name = \"Faulty $_\" } } | New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult");
        Assert.Null(r.Terminating);
        var resultRows = r.Output.Select(o => (long)o.Properties["RowNumber"].Value).ToList();
        var error = Assert.Single(r.Errors);
        Assert.Equal("INTERNAL_ERROR", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("rows 25001-50000", error.Exception.Message);
        Assert.Contains("may or may not", error.Exception.Message);
        Assert.Contains("job ", error.Exception.Message); // names the job already submitted
        var notSubmitted = Enumerable.Range(25001, 25000).Select(i => (long)i);
        var all = resultRows.Concat(notSubmitted).OrderBy(x => x).ToList();
        Assert.Equal(Enumerable.Range(1, 60001).Select(i => (long)i), all); // each row once: a result or named in the error
        Assert.All(r.Output, o => Assert.Equal("added", o.Properties["Status"].Value));
    }

    [Fact]
    public void A_token_expiring_every_5_seconds_during_a_long_run_is_refreshed_once_per_expiry()
    {
        using var t = Start(new EmulatorOptions { TokenLifetime = TimeSpan.FromSeconds(5), GeneratedLeadCount = 3000 });
        var s = t.Host.State;
        // Stretch the run to about 13 s: every mass update call takes 0.5 s.
        s.AddFault(new FaultRule { Kind = FaultKind.Slow, PathContains = "/actions/mass_update", Delay = TimeSpan.FromMilliseconds(500) });
        int issuedBefore = s.TokensIssued;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ids = s.GetLeadIds().Skip(4).Take(2600).ToArray();
        var r = t.Ps.Invoke("$ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Long' } -BatchSize 100 -Force",
            new Dictionary<string, object?> { ["ids"] = ids });
        watch.Stop();
        r.AssertNoErrors();
        Assert.Equal(2600, r.Of("MassUpdateResult").Count(x => (string)x.Status == "success"));
        int refreshes = s.TokensIssued - issuedBefore;
        double lifetimes = watch.Elapsed.TotalSeconds / 5;
        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(10), $"the run took only {watch.Elapsed}");
        // Refreshed a little before each expiry: about one per lifetime, never a burst.
        Assert.InRange(refreshes, (int)Math.Floor(lifetimes) - 1, (int)Math.Ceiling(lifetimes / 0.9) + 1);
    }

    [Fact]
    public void Tokens_expiring_mid_run_cost_one_refresh_each_and_no_record()
    {
        using var t = Start(new EmulatorOptions { GeneratedLeadCount = 3000 });
        var s = t.Host.State;
        // Three expiries, at the 3rd, 6th and 9th call (the retry after each refresh goes through).
        foreach (int skip in new[] { 2, 5, 8 })
            s.AddFault(new FaultRule { Kind = FaultKind.ExpireTokens, PathContains = "/actions/mass_update", Skip = skip, Times = 1 });
        int before = s.TokensIssued;
        var ids = s.GetLeadIds().Skip(4).Take(1000).ToArray();
        var r = t.Ps.Invoke("$ids | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Expiring' } -BatchSize 100 -Force", new Dictionary<string, object?> { ["ids"] = ids });
        r.AssertNoErrors();
        Assert.Equal(1000, r.Of("MassUpdateResult").Count(x => (string)x.Status == "success"));
        Assert.Equal(3, s.TokensIssued - before);
    }

    [Fact]
    public void Runspaces_sharing_one_connection_share_one_refresh()
    {
        using var t = Start(new EmulatorOptions { GeneratedLeadCount = 2000 });
        var s = t.Host.State;
        var conn = t.Ps.Invoke("Get-ZcrmConnection").Output.Single();
        s.ExpireAllTokens();
        int before = s.TokensIssued;
        var ids = s.GetLeadIds().Skip(4).Take(800).ToArray();
        var tasks = Enumerable.Range(0, 4).Select(n => Task.Run(() =>
        {
            using var ps = new PsSession();
            ps.Set("conn", conn);
            ps.Set("ids", ids.Skip(n * 200).Take(200).ToArray());
            return ps.Invoke("$ids | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Shared' } -Connection $conn -BatchSize 50 -Force");
        })).ToArray();
        Task.WaitAll(tasks);
        foreach (var task in tasks) task.Result.AssertNoErrors();
        Assert.Equal(800, tasks.Sum(x => x.Result.Of("MassUpdateResult").Length));
        Assert.Equal(1, s.TokensIssued - before);
    }

    [Fact]
    public void ForEach_Object_Parallel_with_using_connection_works()
    {
        using var t = Start(new EmulatorOptions { GeneratedLeadCount = 1000 });
        var ids = t.Host.State.GetLeadIds().Skip(4).Take(300).ToArray();
        t.Ps.Set("ids", ids);
        var r = t.Ps.Invoke(
            "$conn = Get-ZcrmConnection; $manifest = (Get-Module ZohoCrm).Path; " +
            "0..2 | ForEach-Object -ThrottleLimit 3 -Parallel { Import-Module $using:manifest; $all = $using:ids; $all[($_ * 100)..($_ * 100 + 99)] | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Parallel' } -Connection $using:conn -Force }");
        r.AssertNoErrors();
        Assert.Equal(ids.OrderBy(x => x), r.Of("MassUpdateResult").Select(x => (string)x.Id).OrderBy(x => x));
    }

    [Theory]
    [InlineData(FaultKind.Slow, "-TimeoutSec 30", "Get-ZcrmMassUpdateJob Leads 1 -Verbose")]
    [InlineData(FaultKind.TooManyRequestsRetryAfterHeader, "", "Invoke-ZcrmMassUpdate Leads @{ Rating = 'x' } -Id 738964000002131001 -Force")]
    public void Ctrl_C_ends_a_slow_call_or_a_retry_sleep_within_a_second(FaultKind kind, string connectExtra, string script)
    {
        using var t = Start(null, connectExtra);
        t.Host.State.AddFault(new FaultRule { Kind = kind, PathContains = "/actions/mass_update", Delay = TimeSpan.FromSeconds(30), RetryAfterSeconds = 30 });
        using var shell = PowerShell.Create();
        shell.Runspace = t.Ps.Runspace;
        shell.AddScript(script);
        var async = shell.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (t.Host.State.InjectedFaults.Count == 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Thread.Sleep(200);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        shell.Stop();
        Assert.True(async.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"Stop took {watch.Elapsed}");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public void Polling_that_keeps_failing_during_Wait_is_an_error_naming_the_jobs_not_a_crash()
    {
        using var t = Start(new EmulatorOptions { BulkStepDelay = TimeSpan.FromSeconds(30) }, "-MaxRetryCount 1");
        var created = t.Ps.Invoke("@{ Last_Name = 'Polled' } | New-ZcrmBulkWriteJob Leads");
        created.AssertNoErrors();
        string jobId = (string)created.Of("BulkWriteJob").Single().JobId;
        // The first look goes through; every poll after it fails with a server error.
        t.Host.State.AddFault(new FaultRule { Kind = FaultKind.ServerError, Method = "GET", PathContains = "/crm/bulk/", Skip = 1 });
        var r = t.Ps.Invoke($"Get-ZcrmBulkWriteJob {jobId} -Wait");
        Assert.Null(r.Terminating);
        var e = Assert.Single(r.Errors);
        Assert.Equal("INTERNAL_ERROR", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(new[] { jobId }, (string[])e.TargetObject);
        Assert.Equal(jobId, (string)r.Of("BulkWriteJob").Single().JobId);
    }

    [Fact]
    public void Every_call_has_a_timeout_and_a_slow_answer_becomes_a_clear_error()
    {
        using var t = Start(null, "-TimeoutSec 1 -MaxRetryCount 1");
        t.Host.State.AddFault(new FaultRule { Kind = FaultKind.Slow, PathContains = "/actions/mass_update", Delay = TimeSpan.FromSeconds(3) });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = t.Ps.Invoke("Get-ZcrmMassUpdateJob Leads 1");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6));
        var e = Assert.Single(r.Errors);
        Assert.Equal("ZohoCrm.Timeout", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("no answer within 1 s", e.Exception.Message);
        Assert.Contains("2 attempt(s)", e.Exception.Message);
    }

    [Fact]
    public void A_create_job_call_with_no_answer_is_not_repeated_and_says_what_to_check()
    {
        using var t = Start(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(50) });
        t.Host.State.AddFault(new FaultRule { Kind = FaultKind.DropAfterProcessing, Method = "POST", PathContains = "/crm/bulk/", Times = 1 });
        var r = t.Ps.Invoke("1..3 | ForEach-Object { @{ Last_Name = \"Lost $_\" } } | New-ZcrmBulkWriteJob Leads");
        var e = Assert.Single(r.Errors);
        Assert.Equal("ZohoCrm.ConnectionFailed", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("may or may not", e.Exception.Message);
        Assert.Contains("rows 1-3", e.Exception.Message);
        Assert.Contains("uploaded as file", e.Exception.Message);
        Assert.Equal(1, t.Host.State.Requests.Count(q => q.Method == "POST" && q.Path.Contains("/crm/bulk/")));
        Assert.Single(t.Host.State.GetBulkWriteJobs()); // Zoho did make it: that is why the module must not send it again
    }

    [Theory]
    [InlineData(FaultKind.NonJsonBody, "Get-ZcrmMassUpdateJob Leads 1", "ZohoCrm.InvalidResponse", "not JSON")]
    [InlineData(FaultKind.TruncatedBody, "Get-ZcrmMassUpdateJob Leads 1", "ZohoCrm.InvalidResponse", "not JSON")]
    [InlineData(FaultKind.BadGatewayHtml, "Get-ZcrmMassUpdateJob Leads 1", "ZohoCrm.ServerError", "HTTP 502")]
    [InlineData(FaultKind.RedirectToOtherHost, "Get-ZcrmMassUpdateJob Leads 1", "ZohoCrm.Redirected", "does not follow redirects")]
    public void Broken_answers_become_clear_errors_without_stack_traces(FaultKind kind, string script, string errorId, string text)
    {
        using var t = Start(null, "-MaxRetryCount 1");
        t.Host.State.AddFault(new FaultRule { Kind = kind, PathContains = "/actions/mass_update" });
        int before = t.Host.State.Requests.Count;
        var r = t.Ps.Invoke(script);
        var e = r.AllErrors.Single();
        Assert.Equal(errorId, e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(text, e.Exception.Message);
        Assert.DoesNotContain("   at ", e.Exception.Message);
        if (kind == FaultKind.RedirectToOtherHost)
            Assert.Equal(before + 1, t.Host.State.Requests.Count); // the redirect was not followed
    }

    [Fact]
    public void A_damaged_result_zip_is_fetched_again_and_a_second_damage_is_a_clear_error()
    {
        using var t = Start(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(50) });
        var rule = t.Host.State.AddFault(new FaultRule { Kind = FaultKind.DamagedZip, PathContains = ".zip", Times = 1 });
        var ok = t.Ps.Invoke("1..5 | ForEach-Object { @{ Last_Name = \"Zip $_\" } } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult");
        ok.AssertNoErrors();
        Assert.Equal(5, ok.Output.Count);
        t.Host.State.AddFault(new FaultRule { Kind = FaultKind.DamagedZip, PathContains = ".zip" });
        var bad = t.Ps.Invoke("1..5 | ForEach-Object { @{ Last_Name = \"Zip $_\" } } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult");
        var e = Assert.Single(bad.Errors);
        Assert.Equal("ZohoCrm.InvalidResult", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("not a readable ZIP", e.Exception.Message);
    }

    [Fact]
    public void Access_Denied_from_the_token_endpoint_is_one_clear_terminating_error()
    {
        var options = new EmulatorOptions();
        using var t = new OwnEmulator(options);
        var host = t.Host;
        host.State.AddFault(new FaultRule { Kind = FaultKind.AccessDenied, PathContains = "/oauth/v2/token" });
        var r = t.Ps.Invoke(t.Connect);
        Assert.Equal("Access Denied", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.AuthenticationError, r.Terminating.CategoryInfo.Category);
        Assert.Contains("10 access tokens", r.Terminating.Exception.Message);
        Assert.Single(r.AllErrors);
    }

    [Fact]
    public void The_refresh_limit_is_kept_by_the_module_before_Zoho_locks_the_token_out()
    {
        var options = new EmulatorOptions { TokenLifetime = TimeSpan.FromSeconds(1) };
        using var t = new OwnEmulator(options);
        var host = t.Host;
        t.Ps.Invoke(t.Connect).AssertNoErrors();
        PsResult r = new();
        for (int i = 0; i < 12 && r.Terminating == null; i++)
        {
            host.State.ExpireAllTokens();
            r = t.Ps.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'x' } -Id 738964000002131001 -Force");
        }
        Assert.Equal("ZohoCrm.RefreshLimit", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(10, host.State.TokensIssued); // the 11th was never asked for
    }

    [Fact]
    public void Retries_and_their_budget_show_under_Verbose()
    {
        using var t = Start();
        t.Host.State.AddFault(new FaultRule { Kind = FaultKind.TooManyRequestsRetryAfterHeader, PathContains = "/actions/mass_update", Times = 2, RetryAfterSeconds = 0 });
        var r = t.Ps.Invoke("Get-ZcrmMassUpdateJob Leads 1 -Verbose");
        Assert.Contains(r.Verbose, v => v.Contains("HTTP 429; retry 1 of 5") && v.Contains("budget left"));
        Assert.Contains(r.Verbose, v => v.Contains("retry 2 of 5"));
    }

}
