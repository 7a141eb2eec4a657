using System.Collections;
using System.IO.Compression;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Cmdlets;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>
/// Bulk write calls (BulkWriteService: upload, create-job body, job details) and the result file reader
/// (BulkWriteResults). HTTP is a scripted handler; result ZIPs are made in the temp folder.
/// </summary>
public class BulkWriteServiceTests
{
    private const string Created = "{\"status\":\"success\",\"code\":\"SUCCESS\",\"message\":\"success\",\"details\":{\"id\":\"111000\",\"created_by\":{\"id\":\"4150868000000225013\",\"name\":\"Patricia\"}}}";

    private static (BulkWriteService Service, FakeHandler Handler) Service(string answer, int status = 200, RetryPolicy? retry = null)
    {
        var handler = FakeHandler.Always(status, answer);
        return (new BulkWriteService(Fake.Connection(handler, retry: retry)), handler);
    }

    private static BulkWriteRequest Request(Action<BulkWriteRequest>? change = null)
    {
        var r = new BulkWriteRequest { Module = "Leads", Operation = "insert" };
        change?.Invoke(r);
        return r;
    }

    [Fact]
    public async Task A_minimal_job_names_operation_module_and_file()
    {
        var (service, handler) = Service(Created, 201);
        var job = await service.CreateJobAsync(Request(), "file-1", CancellationToken.None);
        var seen = Assert.Single(handler.Requests);
        Assert.Equal("https://www.zohoapis.com/crm/bulk/v8/write", seen.Url.ToString());
        Assert.Equal("{\"operation\":\"insert\",\"resource\":[{\"type\":\"data\",\"module\":{\"api_name\":\"Leads\"},\"file_id\":\"file-1\"}]}", seen.Body);
        Assert.Equal("111000", job.JobId);
        Assert.Equal("ADDED", job.Status);
        Assert.Equal("Patricia", job.CreatedBy);
        Assert.Equal("4150868000000225013", job.CreatedById);
        Assert.Equal("file-1", job.FileId);
        Assert.Null(job.IgnoreEmpty);
    }

    [Fact]
    public async Task A_full_job_carries_find_by_ignore_empty_callback_encoding_and_typed_field_mappings()
    {
        var (service, handler) = Service(Created, 201);
        var mappings = FieldMappings.Parse(new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["Email"] = 1,
            ["Annual_Revenue"] = new Hashtable { ["DefaultValue"] = 1000 },
            ["Created_Date"] = new Hashtable { ["Index"] = 2, ["Format"] = "yyyy-MM-dd" },
            ["Owner"] = new Hashtable { ["Index"] = 0, ["FindBy"] = "email" },
        }, null!).OrderBy(m => m.ApiName).ToList();
        var request = Request(r =>
        {
            r.Operation = "upsert"; r.FindBy = "Email"; r.IgnoreEmpty = true; r.IgnoreEmptyGiven = true;
            r.CallbackUrl = "https://hooks.example.com/done"; r.CharacterEncoding = "UTF-8"; r.FieldMappings = mappings;
        });
        var job = await service.CreateJobAsync(request, "file-2", CancellationToken.None);
        using var doc = JsonDocument.Parse(handler.Requests[0].Body!);
        var root = doc.RootElement;
        Assert.Equal("upsert", root.GetProperty("operation").GetString());
        Assert.True(root.GetProperty("ignore_empty").GetBoolean());
        Assert.Equal("UTF-8", root.GetProperty("character_encoding").GetString());
        Assert.Equal("https://hooks.example.com/done", root.GetProperty("callback").GetProperty("url").GetString());
        Assert.Equal("post", root.GetProperty("callback").GetProperty("method").GetString());
        var resource = root.GetProperty("resource")[0];
        Assert.Equal("Email", resource.GetProperty("find_by").GetString());
        var fm = resource.GetProperty("field_mappings").EnumerateArray().ToDictionary(e => e.GetProperty("api_name").GetString()!);
        Assert.Equal(1, fm["Email"].GetProperty("index").GetInt32());
        Assert.False(fm["Annual_Revenue"].TryGetProperty("index", out _));
        Assert.Equal(JsonValueKind.Number, fm["Annual_Revenue"].GetProperty("default_value").GetProperty("value").ValueKind);
        Assert.Equal("yyyy-MM-dd", fm["Created_Date"].GetProperty("format").GetString());
        Assert.Equal("email", fm["Owner"].GetProperty("find_by").GetString());
        Assert.True(job.IgnoreEmpty);
        Assert.Equal("Email", job.FindBy);
    }

    [Fact]
    public async Task Creating_a_job_is_not_repeated_after_a_server_error()
    {
        var (service, handler) = Service("{\"code\":\"INTERNAL_ERROR\",\"message\":\"oops\",\"status\":\"error\"}", 500, Fake.QuickRetry());
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => service.CreateJobAsync(Request(), "f", CancellationToken.None));
        Assert.Equal("INTERNAL_ERROR", ex.Code);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_create_answer_without_id_is_unrecognised()
    {
        var (service, _) = Service("{\"status\":\"success\",\"details\":{}}", 201);
        Assert.Equal("ZohoCrm.UnexpectedResponse", (await Assert.ThrowsAsync<ZohoClientException>(() => service.CreateJobAsync(Request(), "f", CancellationToken.None))).Code);
    }

    [Fact]
    public async Task The_upload_goes_to_the_upload_host_with_the_feature_and_org_headers()
    {
        string zip = Path.Combine(Path.GetTempPath(), "zcrm-test-" + Guid.NewGuid().ToString("N") + ".zip");
        File.WriteAllBytes(zip, new byte[] { 0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        try
        {
            var (service, handler) = Service("{\"status\":\"success\",\"code\":\"FILE_UPLOAD_SUCCESS\",\"message\":\"file uploaded.\",\"details\":{\"file_id\":\"2000000001\",\"created_time\":\"2021-05-12T07:26:48+05:30\"}}");
            string fileId = await service.UploadAsync(new BulkChunk { ZipPath = zip, FirstRow = 1, LastRow = 1 }, CancellationToken.None);
            Assert.Equal("2000000001", fileId);
            var seen = Assert.Single(handler.Requests);
            Assert.Equal("https://content.zohoapis.com/crm/v8/upload", seen.Url.ToString());
            Assert.Equal("bulk-write", seen.Header("feature"));
            Assert.Equal("4150868000000225013", seen.Header("X-CRM-ORG"));
            Assert.StartsWith("multipart/form-data", seen.ContentType);
            Assert.Contains("name=file", seen.Body);
            Assert.Contains("application/zip", seen.Body);
        }
        finally { File.Delete(zip); }
    }

    [Fact]
    public async Task The_upload_host_error_shape_is_read()
    {
        string zip = Path.GetTempFileName();
        try
        {
            var (service, _) = Service("{\"ERROR_CODE\":401,\"ERROR_MESSAGE\":\"Invalid oauth token\",\"x-error\":\"INVALID_TOKEN\"}", 401);
            var ex = await Assert.ThrowsAsync<ZohoApiException>(() => service.UploadAsync(new BulkChunk { ZipPath = zip }, CancellationToken.None));
            Assert.Equal("UPLOAD_401", ex.Code);
            Assert.Equal("Invalid oauth token", ex.ZohoMessage);
            Assert.Equal("INVALID_TOKEN", ex.Details["x-error"]);
            Assert.Equal(ErrorCategory.AuthenticationError, ex.Category());
        }
        finally { File.Delete(zip); }
    }

    [Fact]
    public async Task Job_details_are_read_with_counts_download_URL_and_mappings()
    {
        const string details = "{\"status\":\"IN PROGRESS\",\"character_encoding\":\"UTF-8\",\"resource\":[{\"status\":\"IN PROGRESS\",\"type\":\"data\",\"module\":{\"api_name\":\"Leads\",\"id\":\"1\"},"
                               + "\"field_mappings\":[{\"api_name\":\"Last_Name\",\"index\":0,\"format\":null,\"find_by\":null,\"default_value\":null},{\"api_name\":\"Lead_Source\",\"default_value\":{\"value\":\"Web\"}}],"
                               + "\"file\":{\"status\":\"IN PROGRESS\",\"name\":\"Leads.csv\",\"added_count\":10,\"skipped_count\":2,\"updated_count\":3,\"total_count\":15}}],"
                               + "\"id\":\"111000\",\"result\":{\"download_url\":\"/crm/v8/read/111000/result\"},\"created_by\":{\"id\":\"9\",\"name\":\"Patricia\"},\"operation\":\"insert\",\"created_time\":\"2021-05-12T07:26:48+05:30\",\"ignore_empty\":false}";
        var (service, handler) = Service(details);
        var job = await service.GetJobAsync("111000", CancellationToken.None);
        Assert.Equal("https://www.zohoapis.com/crm/bulk/v8/write/111000", handler.Requests[0].Url.ToString());
        Assert.Equal("INPROGRESS", job.Status);
        Assert.False(job.IsFinished);
        Assert.Equal("Leads", job.Module);
        Assert.Equal("insert", job.Operation);
        Assert.Equal("UTF-8", job.CharacterEncoding);
        Assert.Equal((10L, 3L, 2L, 15L), (job.AddedCount!.Value, job.UpdatedCount!.Value, job.SkippedCount!.Value, job.TotalCount!.Value));
        Assert.Equal("/crm/v8/read/111000/result", job.DownloadUrl);
        Assert.Equal("Patricia", job.CreatedBy);
        Assert.False(job.IgnoreEmpty);
        Assert.Equal(new DateTimeOffset(2021, 5, 12, 7, 26, 48, TimeSpan.FromHours(5.5)), job.CreatedTime);
        Assert.Equal(2, job.FieldMappings.Length);
        Assert.Equal(0, job.FieldMappings[0].Index);
        Assert.Null(job.FieldMappings[0].Format);
        Assert.Equal("Web", job.FieldMappings[1].DefaultValue);
        Assert.Null(job.FieldMappings[1].Index);
    }

    [Fact]
    public async Task Reading_job_details_is_retried_as_it_is_safe()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(502, "{}"), () => FakeHandler.Json(200, "{\"status\":\"COMPLETED\",\"id\":\"1\"}"));
        var job = await new BulkWriteService(Fake.Connection(handler, retry: Fake.QuickRetry())).GetJobAsync("1", CancellationToken.None);
        Assert.True(job.IsFinished);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task A_SKIPPED_job_is_final_and_its_result_can_be_read()
    {
        // zoho-api.md section 5: SKIPPED and FAILED are final; decide by status, never by code.
        var (service, handler) = Service("{\"status\":\"SKIPPED\",\"id\":\"1\",\"resource\":[{\"status\":\"SKIPPED\",\"code\":\"INPROGRESS\",\"module\":\"Leads\","
                                         + "\"file\":{\"status\":\"SKIPPED\",\"added_count\":0,\"updated_count\":0,\"skipped_count\":2,\"total_count\":2}}],"
                                         + "\"result\":{\"download_url\":\"https://download-accl.zoho.com/v2/crm/1/bulk-write/1/1.zip\"}}");
        var job = await service.GetJobAsync("1", CancellationToken.None);
        Assert.Equal("SKIPPED", job.Status);
        Assert.True(job.IsFinished);
        Assert.Equal(2L, job.SkippedCount);
        var url = await service.ResultUrlAsync("1", null, CancellationToken.None);
        Assert.Equal("https://download-accl.zoho.com/v2/crm/1/bulk-write/1/1.zip", url.ToString());
        Assert.Equal(2, handler.Calls);
    }

    [Theory]
    [InlineData("IN PROGRESS", "INPROGRESS")]
    [InlineData("InProgress", "INPROGRESS")]
    [InlineData(" completed ", "COMPLETED")]
    [InlineData("ADDED", "ADDED")]
    public void Statuses_are_normalised(string status, string expected) => Assert.Equal(expected, BulkWriteService.NormaliseStatus(status));

    [Fact]
    public void Fresh_details_keep_what_only_the_creator_knows()
    {
        var known = new BulkWriteJob { JobId = "1", FirstRow = 25001, LastRow = 50000, RowCount = 25000, FileId = "f", Module = "Leads", CallbackUrl = "https://x", IgnoreEmpty = true, Status = "ADDED" };
        var fresh = new BulkWriteJob { JobId = "1", Status = "COMPLETED", AddedCount = 25000 };
        var merged = BulkWriteService.Merge(known, fresh);
        Assert.Equal("COMPLETED", merged.Status);
        Assert.Equal(25000, merged.AddedCount);
        Assert.Equal((25001L, 50000L, 25000L), (merged.FirstRow!.Value, merged.LastRow!.Value, merged.RowCount!.Value));
        Assert.Equal("f", merged.FileId);
        Assert.Equal("Leads", merged.Module);
        Assert.Equal("https://x", merged.CallbackUrl);
        Assert.True(merged.IgnoreEmpty);
        Assert.Equal("Leads bulk write job 1: COMPLETED (rows 25001-50000)", merged.ToString());
    }

    // --- Result file --------------------------------------------------------------------------------------------

    private static string Zip(params (string Name, string Content)[] entries)
    {
        string path = Path.Combine(Path.GetTempPath(), "zcrm-test-" + Guid.NewGuid().ToString("N") + ".zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var w = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(true));
            w.Write(content);
        }
        return path;
    }

    [Fact]
    public void Each_result_row_has_its_input_row_number_status_record_id_and_errors()
    {
        string zip = Zip(("111000.csv", "Last_Name,Email,Last_Name,STATUS,RECORD_ID,ERRORS\r\nSmith,s@example.com,x,ADDED,4150868000000225013,\r\n\r\nJones,bad,y,SKIPPED,,\"INVALID_DATA - Email, invalid\"\r\n"));
        try
        {
            Assert.True(BulkWriteResults.IsReadable(zip));
            var rows = BulkWriteResults.Read(zip, firstRow: 25001, jobId: "111000").Select(Cmdlets.GetZcrmBulkWriteResult.ToPSObject).ToList();
            Assert.Equal(2, rows.Count);
            Assert.Equal("ZohoCrm.BulkWriteResultRow", rows[0].TypeNames[0]);
            Assert.Equal(25001L, rows[0].Properties["RowNumber"].Value);
            Assert.Equal(25002L, rows[1].Properties["RowNumber"].Value);
            Assert.Equal("Smith", rows[0].Properties["Last_Name"].Value);
            Assert.Equal("x", rows[0].Properties["Last_Name_2"].Value); // a repeated column keeps both values
            Assert.Equal("added", rows[0].Properties["Status"].Value);
            Assert.Equal("4150868000000225013", rows[0].Properties["RecordId"].Value);
            Assert.Null(rows[0].Properties["Errors"].Value);
            Assert.Equal("skipped", rows[1].Properties["Status"].Value);
            Assert.Null(rows[1].Properties["RecordId"].Value);
            Assert.Equal("INVALID_DATA - Email, invalid", rows[1].Properties["Errors"].Value);
            Assert.Equal("111000", rows[1].Properties["JobId"].Value);
            Assert.Equal(new[] { "RowNumber", "Last_Name", "Email", "Last_Name_2", "Status", "RecordId", "Errors", "ErrorCodes", "ErrorFields", "JobId" }, rows[0].Properties.Select(p => p.Name));
        }
        finally { File.Delete(zip); }
    }

    [Theory]
    [InlineData("MANDATORY_NOT_FOUND-Company,Last_Name:DUPLICATE_DATA-Email", "MANDATORY_NOT_FOUND, DUPLICATE_DATA", "Company, Last_Name, Email")]
    [InlineData("INVALID_DATA-No_of_Employees", "INVALID_DATA", "No_of_Employees")]
    [InlineData("LIMIT_EXCEEDED", "LIMIT_EXCEEDED", null)]
    [InlineData("INVALID_DATA-Email:INVALID_DATA-Phone", "INVALID_DATA", "Email, Phone")]
    [InlineData(null, null, null)]
    public void Zohos_errors_text_is_parsed_into_codes_and_fields(string errors, string codes, string fields)
    {
        var row = new BulkWriteResultRow { Errors = errors };
        Assert.Equal(codes, row.ErrorCodes);
        Assert.Equal(fields, row.ErrorFields);
    }

    [Fact]
    public void A_result_without_STATUS_column_is_refused()
    {
        string zip = Zip(("r.csv", "Last_Name,RECORD_ID\r\nSmith,1\r\n"));
        try
        {
            var ex = Assert.Throws<ZohoClientException>(() => BulkWriteResults.Read(zip, 1, "9").ToList());
            Assert.Equal("ZohoCrm.InvalidResult", ex.Code);
            Assert.Contains("Last_Name, RECORD_ID", ex.Message);
        }
        finally { File.Delete(zip); }
    }

    [Fact]
    public void A_result_with_other_than_one_CSV_is_refused()
    {
        string zip = Zip(("a.csv", "STATUS\r\n"), ("b.csv", "STATUS\r\n"));
        try { Assert.Contains("holds 2", Assert.Throws<ZohoClientException>(() => BulkWriteResults.Read(zip, 1, "9").ToList()).Message); }
        finally { File.Delete(zip); }
    }

    [Fact]
    public void A_file_that_is_not_a_ZIP_is_not_readable()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"code\":\"NOT_FOUND\"}");
            Assert.False(BulkWriteResults.IsReadable(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void An_empty_result_CSV_has_no_rows()
    {
        string zip = Zip(("r.csv", ""));
        try { Assert.Empty(BulkWriteResults.Read(zip, 1, "9")); }
        finally { File.Delete(zip); }
    }
}
