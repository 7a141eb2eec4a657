using System.IO.Compression;
using System.Management.Automation;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

public class BulkFixture : EmulatorFixture
{
    protected override void Configure(EmulatorOptions options)
    {
        options.BulkStepDelay = TimeSpan.FromMilliseconds(50);
        options.LeadsOwnerMandatory = false;
    }
}

public class BulkWriteTests : ModuleTestBase, IClassFixture<BulkFixture>
{
    public BulkWriteTests(BulkFixture fixture) : base(fixture) { }

    private IReadOnlyList<RecordedRequest> Calls(string method, string pathEnd) =>
        State.Requests.Where(r => r.Method == method && r.Path.EndsWith(pathEnd)).ToList();

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void Awkward_values_from_the_pipeline_reach_the_records_unchanged()
    {
        string tag = Unique();
        var when = new DateTime(2024, 2, 29, 23, 59, 58, DateTimeKind.Unspecified);
        var values = new[]
        {
            "He said \"hi\"", "a,b,c", "line1\r\nline2", "line1\nline2", "Zoë Ångström 日本 😀", "  padded  ", "trailing ", "=1+1", "'quoted'", "semi;colon",
        };
        var rows = values.Select((v, i) =>
        {
            var o = new PSObject();
            o.Properties.Add(new PSNoteProperty("Last_Name", v));
            o.Properties.Add(new PSNoteProperty("Company", i % 2 == 0 ? "" : null));
            o.Properties.Add(new PSNoteProperty("Email", $"awk{i}.{tag}@example.com"));
            o.Properties.Add(new PSNoteProperty("No_of_Employees", i * 1000));
            o.Properties.Add(new PSNoteProperty("Annual_Revenue", 1234.5 + i));
            o.Properties.Add(new PSNoteProperty("Email_Opt_Out", i % 2 == 0));
            o.Properties.Add(new PSNoteProperty("Last_Contacted", when));
            o.Properties.Add(new PSNoteProperty("Description", "multi\r\nline, \"text\" " + v));
            return (object)o;
        }).ToArray();
        var r = Connected("$rows | New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult",
            new Dictionary<string, object?> { ["rows"] = rows });
        r.AssertNoErrors();
        var results = r.Output;
        Assert.Equal(values.Length, results.Count);
        for (int i = 0; i < values.Length; i++)
        {
            var row = results[i];
            Assert.Equal((long)(i + 1), row.Properties["RowNumber"].Value);
            Assert.Equal("added", row.Properties["Status"].Value);
            var record = State.GetRecord("Leads", (string)row.Properties["RecordId"].Value)!;
            Assert.Equal(values[i], record["Last_Name"]);
            Assert.Equal("multi\r\nline, \"text\" " + values[i], record["Description"]);
            Assert.Equal((long)i * 1000, record["No_of_Employees"]);
            Assert.Equal(1234.5 + i, Convert.ToDouble(record["Annual_Revenue"]));
            Assert.Equal(i % 2 == 0, record["Email_Opt_Out"]);
            Assert.Equal("2024-02-29T23:59:58+00:00", record["Last_Contacted"]);
            Assert.True(!record.TryGetValue("Company", out var company) || company is null || (company is string s && s.Length == 0));
            // The result echoes the first three columns of the uploaded file.
            Assert.Equal(values[i], row.Properties["Last_Name"].Value);
        }
        // What went up: RFC 4180, UTF-8, invariant numbers, true/false, MM/dd/yyyy HH:mm:ss.
        var job = State.GetBulkWriteJobs().Last();
        using var zip = new ZipArchive(new MemoryStream(State.GetUploadedFile(job.FileId) ?? Array.Empty<byte>()));
        string csv = new StreamReader(zip.Entries.Single().Open(), Encoding.UTF8).ReadToEnd();
        Assert.StartsWith("Last_Name,Company,Email,No_of_Employees,Annual_Revenue,Email_Opt_Out,Last_Contacted,Description\r\n", csv);
        Assert.Contains("\"He said \"\"hi\"\"\",,awk0." + tag + "@example.com,0,1234.5,true,02/29/2024 23:59:58,", csv);
        Assert.Contains("\"  padded  \"", csv);
    }

    [Fact]
    public void Insert_then_update_and_upsert_by_find_by()
    {
        string tag = Unique();
        var insert = Connected(
            "1..3 | ForEach-Object { @{ Last_Name = \"Contact $_\"; Email = \"c$_." + tag + "@example.com\"; Title = 'Old' } } | New-ZcrmBulkWriteJob Contacts -Property Last_Name, Email, Title -Wait | Get-ZcrmBulkWriteResult");
        insert.AssertNoErrors();
        Assert.All(insert.Output, o => Assert.Equal("added", o.Properties["Status"].Value));
        string id2 = (string)insert.Output[1].Properties["RecordId"].Value;

        var update = Ps.Invoke(
            "@([pscustomobject]@{ Email = 'c2." + tag + "@example.com'; Title = 'New' }, [pscustomobject]@{ Email = 'nobody." + tag + "@example.com'; Title = 'New' }) | " +
            "New-ZcrmBulkWriteJob Contacts -Operation update -FindBy Email -Wait | Get-ZcrmBulkWriteResult");
        update.AssertNoErrors();
        Assert.Equal(new[] { "updated", "skipped" }, update.Output.Select(o => (string)o.Properties["Status"].Value));
        Assert.Equal(id2, update.Output[0].Properties["RecordId"].Value);
        Assert.NotNull(update.Output[1].Properties["Errors"].Value);
        Assert.Equal("New", State.GetRecord("Contacts", id2)!["Title"]);
        Assert.Equal("Contact 2", State.GetRecord("Contacts", id2)!["Last_Name"]);

        var upsert = Ps.Invoke(
            "@([pscustomobject]@{ Last_Name = 'Contact 3'; Email = 'c3." + tag + "@example.com'; Title = '' }, [pscustomobject]@{ Last_Name = 'Contact 4'; Email = 'c4." + tag + "@example.com'; Title = 'Fresh' }) | " +
            "New-ZcrmBulkWriteJob Contacts -Operation upsert -FindBy Email -IgnoreEmpty -Wait | Get-ZcrmBulkWriteResult");
        upsert.AssertNoErrors();
        Assert.Equal(new[] { "updated", "added" }, upsert.Output.Select(o => (string)o.Properties["Status"].Value));
        string id3 = (string)insert.Output[2].Properties["RecordId"].Value;
        Assert.Equal("Old", State.GetRecord("Contacts", id3)!["Title"]); // -IgnoreEmpty kept it
        var job = State.GetBulkWriteJobs().Last();
        Assert.Equal(("upsert", "Email", true), (job.Operation, job.FindBy, job.IgnoreEmpty));
    }

    [Fact]
    public void Rows_60001_make_three_jobs_and_60001_results_numbered_across_jobs()
    {
        string tag = Unique();
        var r = Connected(
            "$n = 0; 1..60001 | ForEach-Object { [pscustomobject]@{ Last_Name = \"Row $_\"; Email = \"r$_." + tag + "@example.com\" } } | " +
            "New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult | ForEach-Object { $n++; if ($_.RowNumber -ne $n -or $_.Status -ne 'added' -or $_.Last_Name -ne \"Row $n\") { $_ } }; $n");
        r.AssertNoErrors();
        Assert.Equal(60001, Convert.ToInt32(r.Output.Last().BaseObject));
        Assert.Single(r.Output); // no row out of order, misnumbered or not added
        var jobs = State.GetBulkWriteJobs().TakeLast(3).ToList();
        Assert.Equal(new[] { 25000, 25000, 10001 }, jobs.Select(j => j.TotalCount));
        Assert.All(jobs, j => Assert.Equal("COMPLETED", j.Status));
    }

    [Fact]
    public void Split_jobs_carry_FirstRow_and_LastRow()
    {
        var r = Connected("1..60001 | ForEach-Object { @{ Last_Name = \"Split $_\" } } | New-ZcrmBulkWriteJob -Module Leads");
        r.AssertNoErrors();
        var jobs = r.Of("BulkWriteJob");
        Assert.Equal(3, jobs.Length);
        Assert.Equal(new long[] { 1, 25001, 50001 }, jobs.Select(j => (long)j.FirstRow));
        Assert.Equal(new long[] { 25000, 50000, 60001 }, jobs.Select(j => (long)j.LastRow));
        Assert.All((IEnumerable<dynamic>)jobs, j => Assert.Equal("ADDED", (string)j.Status));
        var waited = Ps.Invoke("$args[0] | Get-ZcrmBulkWriteJob -Wait", args: new object[] { jobs });
        waited.AssertNoErrors();
        Assert.Equal(new long[] { 1, 25001, 50001 }, waited.Of("BulkWriteJob").Select(j => (long)j.FirstRow));
        Assert.All((IEnumerable<dynamic>)waited.Of("BulkWriteJob"), j => Assert.Equal("COMPLETED", (string)j.Status));
    }

    [Fact]
    public void WhatIf_uploads_and_creates_nothing()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        int before = State.Requests.Count;
        var r = Ps.Invoke("1..30000 | ForEach-Object { @{ Last_Name = \"W $_\" } } | New-ZcrmBulkWriteJob -Module Leads -WhatIf");
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        Assert.Equal(before, State.Requests.Count);
    }

    [Fact]
    public void Skipped_rows_flow_through_Where_Object()
    {
        string tag = Unique();
        var r = Connected(
            "@(@{ Last_Name = 'Ok'; Email = 'dup." + tag + "@example.com' }, @{ Last_Name = ''; Email = 'nolast." + tag + "@example.com' }, @{ Last_Name = 'Dup'; Email = 'dup." + tag + "@example.com' }, @{ Last_Name = 'BadNumber'; No_of_Employees = 'many' }) | " +
            "ForEach-Object { [pscustomobject]$_ } | New-ZcrmBulkWriteJob Leads -Property Last_Name, Email, No_of_Employees -Wait | Get-ZcrmBulkWriteResult | Where-Object Status -eq 'skipped'");
        r.AssertNoErrors();
        Assert.Equal(new long[] { 2, 3, 4 }, r.Output.Select(o => (long)o.Properties["RowNumber"].Value));
        Assert.Equal(new[] { "MANDATORY_NOT_FOUND-Last_Name", "DUPLICATE_DATA-Email", "INVALID_DATA-No_of_Employees" },
            r.Output.Select(o => (string)o.Properties["Errors"].Value));
        Assert.All(r.Output, o => Assert.Null(o.Properties["RecordId"].Value));
    }

    [Fact]
    public void A_csv_file_and_a_zip_of_it_are_written_with_field_mappings()
    {
        string tag = Unique();
        string dir = Directory.CreateTempSubdirectory("zcrm-test").FullName;
        string csv = Path.Combine(dir, "people.csv");
        File.WriteAllText(csv, "Surname,Mail,Seen\r\n\"Smith, Jr.\",s1." + tag + "@example.com,2024/01/31\r\nJones,s2." + tag + "@example.com,2024/02/01\r\n", new UTF8Encoding(true));
        string zipPath = Path.Combine(dir, "people.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create)) zip.CreateEntryFromFile(csv, "people.csv");
        File.WriteAllText(csv, File.ReadAllText(csv).Replace("s1.", "t1.").Replace("s2.", "t2."));
        Ps.Set("map", new System.Collections.Hashtable { ["Last_Name"] = "Surname", ["Email"] = 1, ["Date_3"] = new System.Collections.Hashtable { ["Column"] = "Seen", ["Format"] = "yyyy/MM/dd" } });
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        var r = Ps.Invoke("New-ZcrmBulkWriteJob Leads -Path $args[0] -FieldMapping $map -Wait | Get-ZcrmBulkWriteResult; New-ZcrmBulkWriteJob Leads -Path $args[1] -FieldMapping $map -Wait | Get-ZcrmBulkWriteResult",
            args: new object[] { csv, zipPath });
        r.AssertNoErrors();
        Assert.Equal(4, r.Output.Count);
        Assert.All(r.Output, o => Assert.Equal("added", o.Properties["Status"].Value));
        var smith = State.GetRecord("Leads", (string)r.Output[0].Properties["RecordId"].Value)!;
        Assert.Equal(("Smith, Jr.", "2024-01-31"), ((string)smith["Last_Name"]!, (string)smith["Date_3"]!));
        var body = JsonNode.Parse(Calls("POST", "/write").Last().Body)!;
        var mappings = body["resource"]![0]!["field_mappings"]!.AsArray();
        Assert.Contains(mappings, m => m!["api_name"]!.GetValue<string>() == "Date_3" && m["index"]!.GetValue<int>() == 2 && m["format"]!.GetValue<string>() == "yyyy/MM/dd");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Seed_003_success_through_the_cmdlet_sends_the_seed_body()
    {
        using var t = SeedOrg();
        var r = t.Ps.Invoke("New-ZcrmBulkWriteJob -Module Leads -FileId 4150868000005364001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1; Owner = 2 }) -IgnoreEmpty -CallbackUrl https://www.zoho.com/");
        r.AssertNoErrors();
        var job = r.Of("BulkWriteJob").Single();
        Assert.Equal(("Patricia Boyle", "4150868000000225013", "ADDED", "4150868000005364001"), ((string)job.CreatedBy, (string)job.CreatedById, (string)job.Status, (string)job.FileId));
        var body = JsonNode.Parse(t.Host.State.Requests.Last(q => q.Path.EndsWith("/write")).Body)!;
        Assert.Equal("insert", body["operation"]!.GetValue<string>());
        Assert.True(body["ignore_empty"]!.GetValue<bool>());
        Assert.Equal("https://www.zoho.com/", body["callback"]!["url"]!.GetValue<string>());
        Assert.Equal("post", body["callback"]!["method"]!.GetValue<string>());
        var res = body["resource"]![0]!;
        Assert.Equal(("data", "Leads", "4150868000005364001"), (res["type"]!.GetValue<string>(), res["module"]!["api_name"]!.GetValue<string>(), res["file_id"]!.GetValue<string>()));
        Assert.Equal(new[] { ("Last_Name", 0), ("Mobile", 1), ("Owner", 2) }, res["field_mappings"]!.AsArray().Select(m => (m!["api_name"]!.GetValue<string>(), m["index"]!.GetValue<int>())));
        // The emulator never calls a callback outside loopback: it only records it.
        var done = t.Ps.Invoke($"Get-ZcrmBulkWriteJob {job.JobId} -Wait");
        done.AssertNoErrors();
        Assert.Contains(t.Host.State.Callbacks, c => c.JobId == (string)job.JobId && !c.Sent);

        // FILE_NOT_SUPPORTED: a file serves one job only.
        var again = t.Ps.Invoke("New-ZcrmBulkWriteJob -Module Leads -FileId 4150868000005364001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1; Owner = 2 })");
        AssertZohoError(again.Terminating, "FILE_NOT_SUPPORTED", ErrorCategory.InvalidArgument, "File not supported for bulk write");
    }

    [Theory]
    [InlineData("-FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1 })", "MANDATORY_FIELDS_NOT_MAPPED", "All mandatory fields are not mapped for the layout [Owner]")]
    [InlineData("-FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1; Owner = 2 }) -CallbackUrl http://requestbin.fullcontact.com", "INVALID_CALLBACK_URL", "possible ssrf attempt")]
    [InlineData("-FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name1 = 0; Mobile = 1; Owner = 2 })", "INVALID_FIELD_NAME", "invalid api_name Last_Name1")]
    [InlineData("-FileId 4150868000009999999", "INVALID_FILE_ID", "file_id")]
    public void Seed_003_errors_through_the_cmdlet(string args, string code, string text)
    {
        using var t = SeedOrg();
        var r = t.Ps.Invoke("New-ZcrmBulkWriteJob -Module Leads " + args);
        AssertZohoError(r.Terminating, code, ErrorCategory.InvalidArgument, text);
        Assert.Equal(400, (int)Zoho(r.Terminating!.Exception).HttpStatus);
    }

    [Fact]
    public void Seed_004_job_details_through_the_cmdlet()
    {
        using var t = SeedOrg();
        var r = t.Ps.Invoke("Get-ZcrmBulkWriteJob -JobId 4150868000005392002");
        r.AssertNoErrors();
        var job = r.Of("BulkWriteJob").Single();
        Assert.Equal(("INPROGRESS", "insert", "Leads", "https://www.zoho.com/in/crm/", true, "Patricia Boyle"),
            ((string)job.Status, (string)job.Operation, (string)job.Module, (string)job.CallbackUrl, (bool)job.IgnoreEmpty, (string)job.CreatedBy));
        Assert.Equal(DateTimeOffset.Parse("2021-05-13T11:00:58+05:30"), (DateTimeOffset)job.CreatedTime);
        var mappings = ((IEnumerable<dynamic>)job.FieldMappings).ToList();
        Assert.Equal(new[] { "Owner", "Date_3", "Last_Name", "Layout", "Mobile" }, mappings.Select(m => (string)m.ApiName));
        Assert.Equal("yyyy/MM/dd", (string)mappings[1].Format);
        Assert.Equal(2, (int)mappings[1].Index);

        var missing = t.Ps.Invoke("Get-ZcrmBulkWriteJob -JobId 415086800000539200");
        var e = Assert.Single(missing.Errors);
        AssertZohoError(e, "RESOURCE_NOT_FOUND", ErrorCategory.ObjectNotFound, "The requested resource doesn't exist");

        t.Ps.Set("bad", PsSession.Secure("1000.bad"));
        var unauth = t.Ps.Invoke("Connect-Zcrm -ApiDomain $emu -AccessToken $bad; Get-ZcrmBulkWriteJob -JobId 4150868000005392002");
        AssertZohoError(Assert.Single(unauth.Errors), "AUTHENTICATION_FAILURE", ErrorCategory.AuthenticationError, "Authentication failed");

        var notDone = t.Ps.Invoke(ConnectStatic + "; Get-ZcrmBulkWriteResult -JobId 4150868000005392002");
        Assert.Equal("ZohoCrm.JobNotCompleted", Assert.Single(notDone.Errors).FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void Upload_sends_the_feature_and_org_headers_and_fetches_the_org_once()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        int before = State.Requests.Count;
        var r = Ps.Invoke("@{ Last_Name = 'H1' } | New-ZcrmBulkWriteJob Leads; @{ Last_Name = 'H2' } | New-ZcrmBulkWriteJob Leads");
        r.AssertNoErrors();
        var uploads = Calls("POST", "/upload").TakeLast(2).ToList();
        Assert.All(uploads, u =>
        {
            Assert.Equal("bulk-write", u.Headers["feature"]);
            Assert.Equal("738964001", u.Headers["X-CRM-ORG"]);
            Assert.StartsWith("multipart/form-data", u.Headers["Content-Type"]);
        });
        Assert.Equal(1, State.Requests.Skip(before).Count(q => q.Path.EndsWith("/org")));
    }

    [Fact]
    public void OutFile_keeps_the_result_zip()
    {
        string dir = Directory.CreateTempSubdirectory("zcrm-out").FullName;
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        var r = Ps.Invoke("@{ Last_Name = 'Kept' } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult -OutFile $args[0]", args: new object[] { dir });
        r.AssertNoErrors();
        string zip = Directory.GetFiles(dir, "*.zip").Single();
        using var archive = ZipFile.OpenRead(zip);
        Assert.Contains("STATUS,RECORD_ID,ERRORS", new StreamReader(archive.Entries.Single().Open()).ReadLine());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Ctrl_C_stops_Wait_at_once_and_the_job_id_was_shown()
    {
        var options = new EmulatorOptions { BulkStepDelay = TimeSpan.FromSeconds(30) };
        using var t = new OwnEmulator(options);
        t.Ps.Invoke(ConnectRefresh).AssertNoErrors();
        using var shell = PowerShell.Create();
        shell.Runspace = t.Ps.Runspace;
        shell.AddScript("@{ Last_Name = 'Slow' } | New-ZcrmBulkWriteJob Leads -Wait");
        var async = shell.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (shell.Streams.Progress.All(p => !p.StatusDescription.Contains("rows processed")) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        shell.Stop();
        Assert.True(async.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"Stop took {watch.Elapsed}");
        var job = t.Host.State.GetBulkWriteJobs().Single();
        Assert.Contains(shell.Streams.Information, i => i.Tags.Contains("PSHOST") && i.ToString()!.Contains(job.JobId));
    }

    [Fact]
    public void Relative_download_urls_and_IN_PROGRESS_with_a_space_are_understood()
    {
        var options = new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(50), RelativeDownloadUrl = true, InProgressWithSpace = true };
        using var t = new OwnEmulator(options);
        t.Ps.Invoke(ConnectRefresh).AssertNoErrors();
        var r = t.Ps.Invoke("1..3 | ForEach-Object { @{ Last_Name = \"Rel $_\" } } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult");
        r.AssertNoErrors();
        Assert.Equal(3, r.Output.Count);
        Assert.StartsWith("/", t.Host.State.Requests.Last(q => q.Path.EndsWith(".zip")).Path);
    }

    [Fact]
    public void A_download_url_on_another_host_is_refused_without_sending_the_token()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        int before = State.Requests.Count;
        var r = Ps.Invoke("[pscustomobject]@{ JobId = '123'; DownloadUrl = 'https://evil.example.com/r.zip' } | Get-ZcrmBulkWriteResult");
        var e = Assert.Single(r.Errors);
        Assert.Equal("ZohoCrm.ForeignHost", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.SecurityError, e.CategoryInfo.Category);
        Assert.Equal(before, State.Requests.Count);
    }

    [Fact]
    public void A_loopback_callback_is_posted_when_the_job_ends()
    {
        using var listener = new HttpListener();
        int port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/done/");
        listener.Start();
        var received = listener.GetContextAsync();
        var r = Connected($"@{{ Last_Name = 'Called back' }} | New-ZcrmBulkWriteJob Leads -CallbackUrl http://127.0.0.1:{port}/done/ -Wait");
        r.AssertNoErrors();
        Assert.True(received.Wait(TimeSpan.FromSeconds(10)));
        var ctx = received.Result;
        string body = new StreamReader(ctx.Request.InputStream).ReadToEnd();
        ctx.Response.StatusCode = 200; ctx.Response.Close();
        Assert.Equal("POST", ctx.Request.HttpMethod);
        Assert.Equal((string)r.Of("BulkWriteJob").Single().JobId, JsonNode.Parse(body)!["id"]!.GetValue<string>());
        Assert.False(ctx.Request.Headers.AllKeys.Contains("Authorization"));
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static void AssertZohoError(ErrorRecord? e, string code, ErrorCategory category, string text)
    {
        Assert.NotNull(e);
        Assert.Equal(code, e!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, e.CategoryInfo.Category);
        Assert.Contains(text, e.Exception.Message);
    }

    /// <summary>An emulator like the org of seed 003 (Owner mandatory in Leads), connected with the static token.</summary>
    private static OwnEmulator SeedOrg()
    {
        var options = new EmulatorOptions { LeadsOwnerMandatory = true, BulkStepDelay = TimeSpan.FromMilliseconds(50) };
        var t = new OwnEmulator(options);
        t.Ps.Invoke(ConnectStatic).AssertNoErrors();
        return t;
    }

}
