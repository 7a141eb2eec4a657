using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;

namespace ZohoCrm.Tests;

/// <summary>
/// The answers no seed captured but Zoho's own sources give (shared zoho-api.md section 5), replayed as raw HTTP
/// against the emulator in the seeds' way: request in, HTTP status and exact body out.
/// </summary>
public class EmulatorFidelityTests
{
    private static readonly EmulatorOptions Defaults = new();

    internal static HttpRequestMessage Api(HttpMethod method, string path, string? token = null, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + (token ?? Defaults.StaticAccessToken));
        if (json != null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    internal static async Task<(int Status, string Body)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request))
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task<(int Status, string Body)> RefreshAsync(HttpClient http) =>
        SendAsync(http, new HttpRequestMessage(HttpMethod.Post, "/oauth/v2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token", ["client_id"] = Defaults.ClientId,
                ["client_secret"] = Defaults.ClientSecret, ["refresh_token"] = Defaults.RefreshToken,
            }),
        });

    [Fact]
    public async Task Token_endpoint_answers_the_throttle_limit_with_Zohos_JSON()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { RefreshLimit = 1 });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        Assert.Equal(200, (await RefreshAsync(http)).Status);
        var (status, body) = await RefreshAsync(http);
        Assert.Equal(200, status);
        Assert.Equal("{\"error_description\":\"Token creation throttle limit reached. Please try again after some time.\",\"error\":\"Access Denied\"}", body);
    }

    [Fact]
    public async Task A_token_of_another_data_center_is_INVALID_OAUTHTOKEN_and_a_refresh_gives_another_one()
    {
        const string Expected = "{\"code\":\"INVALID_OAUTHTOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}";
        await using (var host = await EmulatorHost.StartAsync())
        {
            using var http = new HttpClient { BaseAddress = host.BaseUrl };
            Assert.Equal((401, Expected), await SendAsync(http, Api(HttpMethod.Get, "/crm/v2/org", EmulatorOptions.OtherDataCenterTokenPrefix + "0123abcd")));
            // Tokens of this emulator's own data center still work.
            Assert.Equal(200, (await SendAsync(http, Api(HttpMethod.Get, "/crm/v2/org"))).Status);
        }

        await using (var host = await EmulatorHost.StartAsync(new EmulatorOptions { IssueOtherDataCenterTokens = true }))
        {
            using var http = new HttpClient { BaseAddress = host.BaseUrl };
            for (int i = 0; i < 2; i++)
            {
                var (status, body) = await RefreshAsync(http);
                Assert.Equal(200, status);
                string token = JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
                Assert.StartsWith(EmulatorOptions.OtherDataCenterTokenPrefix, token);
                Assert.Equal((401, Expected), await SendAsync(http, Api(HttpMethod.Get, "/crm/v2/org", token)));
            }
        }
    }

    [Fact]
    public async Task ALREADY_SCHEDULED_comes_as_HTTP_202_with_the_seeds_body_when_asked_for()
    {
        // The seeds' body (seed 000), with the status Zoho's docs give it.
        const string Expected = "{\"code\":\"ALREADY_SCHEDULED\",\"details\":{\"api_name\":\"cvid\"},\"message\":\"Already an Mass Action scheduler is runing for the given cvid\",\"status\":\"error\"}";
        const string Schedule = "{\"data\":[{\"No_of_Employees\":1000}],\"cvid\":\"738964000000091563\"}";
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { AlreadyScheduledStatus = 202, JobStepDelay = TimeSpan.FromSeconds(30) });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        Assert.Equal(200, (await SendAsync(http, Api(HttpMethod.Post, "/crm/v2/Leads/actions/mass_update", json: Schedule))).Status);
        Assert.Equal((202, Expected), await SendAsync(http, Api(HttpMethod.Post, "/crm/v2/Leads/actions/mass_update", json: Schedule)));
    }

    /// <summary>Uploads one CSV (zipped) and creates an insert job of it; returns the job id.</summary>
    internal static async Task<string> CreateLeadsInsertAsync(HttpClient http, string csv, string? characterEncoding = null)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        using (var w = new StreamWriter(zip.CreateEntry("leads.csv").Open(), new UTF8Encoding(false)))
            w.Write(csv);
        var upload = new HttpRequestMessage(HttpMethod.Post, "/crm/v2/upload");
        upload.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + Defaults.StaticAccessToken);
        upload.Headers.Add("feature", "bulk-write");
        upload.Headers.Add("X-CRM-ORG", Defaults.OrgId);
        var file = new ByteArrayContent(ms.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } };
        upload.Content = new MultipartFormDataContent { { file, "file", "leads.zip" } };
        var (_, uploaded) = await SendAsync(http, upload);
        string fileId = JsonNode.Parse(uploaded)!["details"]!["file_id"]!.GetValue<string>();

        string encoding = characterEncoding == null ? "" : $"\"character_encoding\":\"{characterEncoding}\",";
        var (status, created) = await SendAsync(http, Api(HttpMethod.Post, "/crm/bulk/v2/write",
            json: $"{{\"operation\":\"insert\",{encoding}\"resource\":[{{\"type\":\"data\",\"module\":{{\"api_name\":\"Leads\"}},\"file_id\":\"{fileId}\"}}]}}"));
        Assert.True(status == 201, created);
        return JsonNode.Parse(created)!["details"]!["id"]!.GetValue<string>();
    }

    internal static async Task<JsonObject> WaitForEndAsync(HttpClient http, string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (_, body) = await SendAsync(http, Api(HttpMethod.Get, "/crm/bulk/v2/write/" + jobId));
            var details = JsonNode.Parse(body)!.AsObject();
            if (details["status"]!.GetValue<string>() is "COMPLETED" or "SKIPPED" or "FAILED") return details;
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} still {body}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_bulk_write_job_whose_every_row_is_skipped_ends_SKIPPED_with_its_result()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(10) });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };

        var skipped = await WaitForEndAsync(http, await CreateLeadsInsertAsync(http, "Last_Name,Email\r\n,a@example.com\r\n,b@example.com\r\n"));
        Assert.Equal("SKIPPED", skipped["status"]!.GetValue<string>());
        var resource = skipped["resource"]![0]!;
        Assert.Equal("SKIPPED", resource["status"]!.GetValue<string>());
        Assert.Equal("SKIPPED", resource["file"]!["status"]!.GetValue<string>());
        Assert.Equal((0, 0, 2, 2), (resource["file"]!["added_count"]!.GetValue<int>(), resource["file"]!["updated_count"]!.GetValue<int>(),
            resource["file"]!["skipped_count"]!.GetValue<int>(), resource["file"]!["total_count"]!.GetValue<int>()));
        // The result says why each row was skipped.
        string url = skipped["result"]!["download_url"]!.GetValue<string>();
        using (var zip = new ZipArchive(new MemoryStream(await http.GetByteArrayWithTokenAsync(url)), ZipArchiveMode.Read))
        using (var reader = new StreamReader(zip.Entries.Single().Open()))
        {
            string text = await reader.ReadToEndAsync();
            Assert.Equal("Last_Name,Email,STATUS,RECORD_ID,ERRORS\r\n,a@example.com,skipped,,MANDATORY_NOT_FOUND-Last_Name\r\n,b@example.com,skipped,,MANDATORY_NOT_FOUND-Last_Name\r\n", text);
        }

        // One row added is enough for COMPLETED.
        var completed = await WaitForEndAsync(http, await CreateLeadsInsertAsync(http, "Last_Name,Email\r\nKim,k@example.com\r\n,b@example.com\r\n"));
        Assert.Equal("COMPLETED", completed["status"]!.GetValue<string>());
        Assert.Equal("COMPLETED", completed["resource"]![0]!["file"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Job_details_echo_character_encoding_with_the_other_keys_Zoho_echoes()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(10) });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var given = await WaitForEndAsync(http, await CreateLeadsInsertAsync(http, "Last_Name\r\nKim\r\n", "ISO-8859-1"));
        var detected = await WaitForEndAsync(http, await CreateLeadsInsertAsync(http, "Last_Name\r\nLee\r\n"));
        Assert.Equal("ISO-8859-1", given["character_encoding"]!.GetValue<string>());
        Assert.Equal("UTF-8", detected["character_encoding"]!.GetValue<string>());
        foreach (var key in new[] { "operation", "created_time", "ignore_empty", "created_by", "resource", "id", "result" })
            Assert.True(detected.ContainsKey(key), key);
    }

    [Fact]
    public async Task A_foreign_or_expired_result_link_answers_Link_not_valid()
    {
        const string Expected = "{\"info\":\"Forbidden\",\"x-info\":\"Link not valid\",\"http_status\":403}";
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            BulkStepDelay = TimeSpan.FromMilliseconds(10), ResultLinkLifetime = TimeSpan.FromSeconds(2),
        });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        string jobId = await CreateLeadsInsertAsync(http, "Last_Name\r\nKim\r\n");
        string url = (await WaitForEndAsync(http, jobId))["result"]!["download_url"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Api(HttpMethod.Get, url))).StatusCode);

        foreach (var foreign in new[]
                 {
                     System.Text.RegularExpressions.Regex.Replace(url, "/crm/[0-9]+/", "/crm/111111111/"), // another org
                     url.Replace(jobId + ".zip", "other.zip"),                       // another file
                     url.Replace(jobId, "738964000004999999"),                       // a job that never was
                 })
            Assert.Equal((403, Expected), await SendAsync(http, Api(HttpMethod.Get, foreign)));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        (int Status, string Body) answer;
        while ((answer = await SendAsync(http, Api(HttpMethod.Get, url))).Status == 200 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal((403, Expected), answer);
    }
}

internal static class HttpClientTokenExtensions
{
    public static async Task<byte[]> GetByteArrayWithTokenAsync(this HttpClient http, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + new EmulatorOptions().StaticAccessToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
