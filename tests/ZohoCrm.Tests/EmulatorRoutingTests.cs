using System.Text;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;

namespace ZohoCrm.Tests;

/// <summary>
/// How the emulator routes what no seed shows: Zoho's paths are exact (case, empty segments, version segments), a
/// method the path does not take is 400 INVALID_REQUEST_METHOD before the token check, an unknown path is 404
/// INVALID_URL_PATTERN, and every call is logged (uploads by size only).
/// </summary>
public class EmulatorRoutingTests
{
    private static readonly string Token = new EmulatorOptions().StaticAccessToken;

    [Fact]
    public async Task Emulator_routes_exact_paths_checks_the_method_before_the_token_and_logs_every_call()
    {
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var cases = new (string Method, string Path, bool Auth, int Status, string? Code)[]
        {
            ("GET", "/crm/v2/org", true, 200, null),
            ("GET", "/crm/v2.1/org", true, 200, null),
            ("GET", "/crm/v2/org", false, 401, "AUTHENTICATION_FAILURE"),
            ("GET", "/crm/v2/org/", true, 404, "INVALID_URL_PATTERN"),
            ("GET", "/CRM/v2/org", true, 404, "INVALID_URL_PATTERN"),
            ("GET", "/crm/V2/org", true, 404, "INVALID_URL_PATTERN"),
            ("GET", "/crm/v2/Org", true, 404, "INVALID_URL_PATTERN"),
            ("GET", "/crm/x2/org", true, 404, "INVALID_URL_PATTERN"),
            ("POST", "/crm/v2/org", false, 400, "INVALID_REQUEST_METHOD"),
            ("DELETE", "/crm/v2/Leads/actions/mass_update", false, 400, "INVALID_REQUEST_METHOD"),
            ("GET", "/oauth/v2/token", false, 400, "INVALID_REQUEST_METHOD"),
            ("POST", "/crm/v2/Nope/actions/mass_update", true, 400, "INVALID_MODULE"),
            ("GET", "/nothing", true, 404, "INVALID_URL_PATTERN"),
            ("GET", "/", false, 404, "INVALID_URL_PATTERN"),
        };
        foreach (var (method, path, auth, status, code) in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (auth)
                request.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + Token);
            using var response = await http.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(status == (int)response.StatusCode, $"{method} {path}: expected HTTP {status}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
            if (code != null)
                Assert.Equal(code, JsonNode.Parse(body)!["code"]!.GetValue<string>());
        }

        using (var upload = new HttpRequestMessage(HttpMethod.Post, "/crm/v2/upload") { Content = new StringContent("abcdef") })
        {
            upload.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + Token);
            using var response = await http.SendAsync(upload);
        }

        var log = host.State.Requests;
        Assert.Equal(cases.Select(c => (c.Method, c.Path, c.Status)).Append(("POST", "/crm/v2/upload", 200)),
            log.Select(r => (r.Method, r.Path, r.StatusCode)));
        Assert.Equal("<multipart 6 bytes>", log[^1].Body);
    }

    [Fact]
    public async Task Emulator_reads_records_by_ids_with_the_fields_asked_for_as_Zoho_does()
    {
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        async Task<(int Status, string Body)> Get(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + Token);
            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, body) = await Get("/crm/v8/Leads?ids=738964000002131001,738964999999999999&fields=Last_Name,No_of_Employees");
        Assert.Equal(200, status);
        var data = JsonNode.Parse(body)!["data"]!.AsArray();
        var record = Assert.Single(data)!.AsObject();
        Assert.Equal(new[] { "id", "Last_Name", "No_of_Employees" }, record.Select(p => p.Key));
        Assert.Equal("738964000002131001", record["id"]!.GetValue<string>());
        Assert.Equal(1, JsonNode.Parse(body)!["info"]!["count"]!.GetValue<int>());

        Assert.Equal((204, ""), await Get("/crm/v8/Leads?ids=738964999999999999&fields=Last_Name"));
        (status, body) = await Get("/crm/v8/Leads?ids=738964000002131001");
        Assert.Equal(400, status);
        Assert.Equal("REQUIRED_PARAM_MISSING", JsonNode.Parse(body)!["code"]!.GetValue<string>());
        (status, body) = await Get("/crm/v8/Leads?fields=Last_Name&ids=" + string.Join(",", Enumerable.Range(1, 101)));
        Assert.Equal(400, status);
        Assert.Equal("LIMIT_EXCEEDED", JsonNode.Parse(body)!["code"]!.GetValue<string>());
        (status, body) = await Get("/crm/v8/Nope?ids=1&fields=Last_Name");
        Assert.Equal("INVALID_MODULE", JsonNode.Parse(body)!["code"]!.GetValue<string>());
    }
}
