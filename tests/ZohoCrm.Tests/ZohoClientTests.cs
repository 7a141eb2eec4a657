using System.Management.Automation;
using System.Net;
using System.Text;
using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Cmdlets;
using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>
/// ZohoClient.SendAsync apart from retries (see RetryPolicyTests): which hosts get the token, headers, redirects,
/// the one refresh when Zoho rejects the token (and the error when it stays), downloads; and ZohoResponse's handling of bodies that are not Zoho's JSON.
/// </summary>
public class ZohoClientTests
{
    private static HttpResponseMessage Ok(string body = "{}") => FakeHandler.Json(200, body);

    private const string InvalidToken = "{\"code\":\"INVALID_TOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}";

    [Fact]
    public async Task Each_request_carries_the_token_and_the_org_header()
    {
        var handler = FakeHandler.Always(200);
        var connection = Fake.Connection(handler, orgId: "55501");
        await connection.Client.SendAsync(Fake.Get(), CancellationToken.None);
        var seen = Assert.Single(handler.Requests);
        Assert.Equal("Zoho-oauthtoken 1000.static-token", seen.Header("Authorization"));
        Assert.Equal("55501", seen.Header("X-CRM-ORG"));
    }

    [Fact]
    public async Task Without_an_org_id_no_org_header_is_sent()
    {
        var handler = FakeHandler.Always(200);
        await Fake.Client(handler).SendAsync(Fake.Get(), CancellationToken.None);
        Assert.Null(Assert.Single(handler.Requests).Header("X-CRM-ORG"));
    }

    [Fact]
    public async Task A_request_header_replaces_the_default_one()
    {
        var handler = FakeHandler.Always(200);
        var request = Fake.Post();
        request.Headers["X-CRM-ORG"] = "777";
        request.Headers["feature"] = "bulk-write";
        await Fake.Connection(handler, orgId: "55501").Client.SendAsync(request, CancellationToken.None);
        var seen = Assert.Single(handler.Requests);
        Assert.Equal("777", seen.Header("X-CRM-ORG"));
        Assert.Equal("bulk-write", seen.Header("feature"));
    }

    [Fact]
    public async Task A_retry_sends_the_whole_body_again()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(429, "{}"), () => Ok());
        await Fake.Client(handler, Fake.QuickRetry()).SendAsync(Fake.Post(body: "{\"ids\":[\"1\"]}"), CancellationToken.None);
        Assert.Equal(2, handler.Calls);
        Assert.All(handler.Requests, r => Assert.Equal("{\"ids\":[\"1\"]}", r.Body));
    }

    // --- Hosts --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("https://www.zohoapis.com/crm/v8/org")]
    [InlineData("https://WWW.ZOHOAPIS.COM/crm/v8/org")]
    [InlineData("https://www.zohoapis.com:443/crm/v8/org")]
    [InlineData("https://content.zohoapis.com/crm/v8/upload")]
    public async Task The_token_goes_to_the_API_and_upload_hosts(string url)
    {
        var handler = FakeHandler.Always(200);
        await Fake.Connection(handler).Client.SendAsync(Fake.Get(url), CancellationToken.None);
        Assert.Equal(1, handler.Calls);
    }

    [Theory]
    [InlineData("https://accounts.zoho.com/oauth/v2/token")]
    [InlineData("https://www.zohoapis.eu/crm/v8/org")]
    [InlineData("https://www.zohoapis.com:8443/crm/v8/org")]
    [InlineData("http://www.zohoapis.com/crm/v8/org")]
    [InlineData("https://www.zohoapis.com.evil.example/crm/v8/org")]
    [InlineData("https://download.zoho.com/file.zip")]
    public async Task The_token_never_goes_to_another_host(string url)
    {
        var handler = FakeHandler.Always(200);
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => Fake.Connection(handler).Client.SendAsync(Fake.Get(url), CancellationToken.None));
        Assert.Equal("ZohoCrm.ForeignHost", ex.Code);
        Assert.Equal(ErrorCategory.SecurityError, ex.Category());
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task A_host_the_caller_vetted_may_get_the_token()
    {
        var handler = FakeHandler.Always(200);
        var request = Fake.Get("https://download.zoho.com/file.zip");
        request.AllowedHost = true;
        await Fake.Connection(handler).Client.SendAsync(request, CancellationToken.None);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public void Connection_knows_its_own_hosts_and_builds_CRM_URLs()
    {
        var connection = Fake.Connection(FakeHandler.Always(200), apiDomain: "http://127.0.0.1:5123", uploadUrl: "http://127.0.0.1:5124");
        Assert.True(connection.IsOwnHost(new Uri("http://127.0.0.1:5123/crm/v8/org")));
        Assert.True(connection.IsOwnHost(new Uri("http://127.0.0.1:5124/crm/v8/upload")));
        Assert.False(connection.IsOwnHost(new Uri("http://127.0.0.1:5125/")));
        Assert.False(connection.IsOwnHost(new Uri("https://127.0.0.1:5123/")));
        Assert.Equal("http://127.0.0.1:5123/crm/v8/Leads/actions/mass_update", connection.CrmUrl("/Leads/actions/mass_update").ToString());
        Assert.Equal("http://127.0.0.1:5123", connection.ApiDomain);
    }

    [Fact]
    public void A_connection_shows_no_secret()
    {
        var connection = Fake.Connection(FakeHandler.Always(200));
        Assert.DoesNotContain("static-token", connection.ToString());
        foreach (var p in typeof(Connection).GetProperties())
            Assert.DoesNotContain("static-token", p.GetValue(connection)?.ToString() ?? "");
    }

    // --- Redirects, refresh, downloads --------------------------------------------------------------------------

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_never_followed(int status)
    {
        var handler = new FakeHandler((_, _) =>
        {
            var r = new HttpResponseMessage((HttpStatusCode)status);
            r.Headers.Location = new Uri("https://evil.example/steal?x=1");
            return r;
        });
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => Fake.Client(handler, Fake.QuickRetry()).SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Equal("ZohoCrm.Redirected", ex.Code);
        Assert.Contains("https://evil.example", ex.Message);
        Assert.DoesNotContain("steal", ex.Message);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_second_INVALID_TOKEN_is_one_authentication_error_not_a_loop()
    {
        var tokens = new CountingTokenProvider();
        var handler = FakeHandler.Always(401, InvalidToken);
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => Fake.Client(handler, Fake.QuickRetry(), tokens).SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Equal("INVALID_TOKEN", ex.Code);
        Assert.Equal(ZohoErrorKind.AuthenticationError, ex.Kind);
        Assert.True(ErrorPolicy.EndsCommand(ex));
        Assert.Contains("refreshed and Zoho still rejects it", ex.Message);
        Assert.Equal(2, handler.Calls);
        Assert.Equal(1, tokens.Refreshes);
    }

    [Fact]
    public async Task The_one_refresh_holds_for_the_whole_request_across_retries()
    {
        var tokens = new CountingTokenProvider();
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(401, InvalidToken), () => FakeHandler.Json(503, "{}"), () => FakeHandler.Json(401, InvalidToken));
        await Assert.ThrowsAsync<ZohoApiException>(() => Fake.Client(handler, Fake.QuickRetry(), tokens).SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Equal(3, handler.Calls);
        Assert.Equal(1, tokens.Refreshes);
    }

    [Fact]
    public async Task A_token_that_cannot_be_refreshed_is_not_refreshed_and_the_error_says_so()
    {
        var tokens = new CountingTokenProvider { CanRefresh = false };
        var handler = FakeHandler.Always(401, InvalidToken);
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => Fake.Client(handler, Fake.QuickRetry(), tokens).SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Contains("-AccessToken", ex.Message);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(0, tokens.Refreshes);
    }

    [Theory]
    [InlineData("AUTHENTICATION_FAILURE")]
    [InlineData("INVALID_OAUTHTOKEN")]
    [InlineData("INVALID_TOKEN")]
    public async Task Each_401_token_rejection_refreshes_once_and_sends_again_with_the_new_token(string code)
    {
        var tokens = new CountingTokenProvider();
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(401, "{\"code\":\"" + code + "\",\"details\":{},\"message\":\"no\",\"status\":\"error\"}"), () => Ok());
        var response = await Fake.Client(handler, Fake.NoRetry, tokens).SendAsync(Fake.Post(idempotent: false), CancellationToken.None);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(new[] { "Zoho-oauthtoken token-1", "Zoho-oauthtoken token-2" }, handler.Requests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task INVALID_OAUTHTOKEN_that_stays_points_at_the_data_center()
    {
        var tokens = new CountingTokenProvider();
        var handler = FakeHandler.Always(401, "{\"code\":\"INVALID_OAUTHTOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}");
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => Fake.Client(handler, Fake.QuickRetry(), tokens).SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Equal("INVALID_OAUTHTOKEN", ex.Code);
        Assert.Contains("another data center", ex.Message);
        Assert.Contains("-DataCenter", ex.Message);
        Assert.Equal(1, tokens.Refreshes);
    }

    [Fact]
    public async Task A_refresh_that_did_not_help_is_not_repeated_by_the_next_requests()
    {
        var tokens = new CountingTokenProvider();
        var handler = FakeHandler.Always(401, "{\"code\":\"AUTHENTICATION_FAILURE\",\"details\":{},\"message\":\"Authentication failed\",\"status\":\"error\"}");
        var client = Fake.Client(handler, Fake.QuickRetry(), tokens);
        for (int i = 0; i < 5; i++)
            await Assert.ThrowsAsync<ZohoApiException>(() => client.SendAsync(Fake.Get(), CancellationToken.None));
        // One refresh for the first request; the new token's rejection is remembered, so the refresh limit is not spent in a loop.
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(2 + 4, handler.Calls);
    }

    [Fact]
    public async Task Another_401_does_not_refresh()
    {
        var tokens = new CountingTokenProvider();
        var handler = FakeHandler.Always(401, "{\"code\":\"OAUTH_SCOPE_MISMATCH\",\"message\":\"no\",\"status\":\"error\"}");
        var response = await Fake.Client(handler, Fake.QuickRetry(), tokens).SendAsync(Fake.Get(), CancellationToken.None);
        Assert.Equal(401, response.StatusCode);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(0, tokens.Refreshes);
    }

    [Fact]
    public async Task A_download_goes_to_the_file_and_a_JSON_answer_to_the_body()
    {
        string path = Path.Combine(Path.GetTempPath(), "zcrm-test-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            byte[] zip = { 0x50, 0x4B, 0x03, 0x04, 1, 2, 3 };
            var handler = new FakeHandler((_, _) => new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new ByteArrayContent(zip) { Headers = { ContentType = new("application/zip") } },
            });
            var request = Fake.Get();
            request.ResponseFile = path;
            var response = await Fake.Client(handler).SendAsync(request, CancellationToken.None);
            Assert.Equal("", response.Body);
            Assert.Equal(zip, File.ReadAllBytes(path));

            File.Delete(path);
            var json = FakeHandler.Always(200, "{\"code\":\"NOT_FOUND\",\"status\":\"error\"}");
            var error = await Fake.Client(json).SendAsync(new ZohoRequest(HttpMethod.Get, request.Url) { ResponseFile = path }, CancellationToken.None);
            Assert.Contains("NOT_FOUND", error.Body);
            Assert.False(File.Exists(path));
        }
        finally { File.Delete(path); }
    }

    private sealed class ListSink : IOperationSink
    {
        public List<string> Messages { get; } = new();
        public void Verbose(string message) => Messages.Add(message);
        public void Debug(string message) => Messages.Add(message);
        public void Warning(string message) => Messages.Add(message);
        public void Progress(OperationProgress progress) { }
    }

    [Fact]
    public async Task The_call_log_names_method_URL_and_status_and_hides_tokens_in_answers()
    {
        var sink = new ListSink();
        var saved = OperationLog.Sink;
        OperationLog.Sink = sink;
        try
        {
            var handler = FakeHandler.Always(200, "{\"access_token\":\"1000.leaked\",\"api_domain\":\"https://www.zohoapis.com\"}");
            await Fake.Client(handler).SendAsync(Fake.Get(), CancellationToken.None);
        }
        finally { OperationLog.Sink = saved; }
        Assert.Contains(sink.Messages, m => m.StartsWith("GET https://www.zohoapis.com/crm/v8/org -> 200 ("));
        Assert.Contains(sink.Messages, m => m.Contains("\"access_token\":\"***\""));
        Assert.DoesNotContain(sink.Messages, m => m.Contains("leaked") || m.Contains("static-token"));
    }

    private sealed class QuietSink : IOperationSink, IDebugFilter
    {
        public List<string> Messages { get; } = new();
        public bool DebugWanted => false;
        public void Verbose(string message) => Messages.Add("V:" + message);
        public void Debug(string message) => Messages.Add("D:" + message);
        public void Warning(string message) => Messages.Add("W:" + message);
        public void Progress(OperationProgress progress) { }
    }

    [Fact]
    public async Task An_answer_is_logged_only_where_debug_messages_are_wanted_and_a_long_one_keeps_its_length()
    {
        var saved = OperationLog.Sink;
        var quiet = new QuietSink();
        var listening = new ListSink();
        string body = "{\"data\":[" + string.Join(",", Enumerable.Repeat("{\"code\":\"SUCCESS\",\"access_token\":\"1000.leaked\"}", 3000)) + "]}";
        try
        {
            OperationLog.Sink = quiet;
            await Fake.Client(FakeHandler.Always(200, body)).SendAsync(Fake.Get(), CancellationToken.None);
            OperationLog.Sink = listening;
            await Fake.Client(FakeHandler.Always(200, body)).SendAsync(Fake.Get(), CancellationToken.None);
        }
        finally { OperationLog.Sink = saved; }
        Assert.Contains(quiet.Messages, m => m.StartsWith("V:GET "));
        Assert.DoesNotContain(quiet.Messages, m => m.StartsWith("D:"));
        var answer = Assert.Single(listening.Messages, m => m.Contains(" answer: "));
        Assert.EndsWith($"... ({body.Length} chars)", answer);
        Assert.DoesNotContain("leaked", answer);
    }

    [Fact]
    public void The_HTTP_client_sends_no_Expect_100_continue_and_names_the_module()
    {
        using var http = ZohoClient.CreateHttpClient();
        Assert.False(http.DefaultRequestHeaders.ExpectContinue);
        Assert.StartsWith("ZohoCrm-PowerShell/", http.DefaultRequestHeaders.UserAgent.ToString());
        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout); // each call has its own timeout instead
    }

    // --- ZohoResponse -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_body_parses_as_JSON_null(string body)
    {
        using var doc = new ZohoResponse(204, body, "GET x").ParseJson();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, doc.RootElement.ValueKind);
    }

    [Theory]
    [InlineData(502, "ZohoCrm.ServerError", ErrorCategory.ConnectionError)]
    [InlineData(503, "ZohoCrm.ServerError", ErrorCategory.ConnectionError)]
    [InlineData(429, "ZohoCrm.ServerError", ErrorCategory.ConnectionError)]
    [InlineData(200, "ZohoCrm.InvalidResponse", ErrorCategory.InvalidResult)]
    [InlineData(400, "ZohoCrm.InvalidResponse", ErrorCategory.InvalidResult)]
    public void A_body_that_is_not_JSON_is_an_error_naming_request_and_status(int status, string code, ErrorCategory category)
    {
        var ex = Assert.Throws<ZohoClientException>(() => new ZohoResponse(status, "<html>\r\n<b>Bad Gateway</b></html>", "GET https://www.zohoapis.com/crm/v8/org").ParseJson());
        Assert.Equal(code, ex.Code);
        Assert.Equal(category, ex.Category());
        Assert.Contains($"GET https://www.zohoapis.com/crm/v8/org with HTTP {status}", ex.Message);
        Assert.Contains("<html>  <b>Bad Gateway</b></html>", ex.Message); // on one line
    }

    [Fact]
    public void The_snippet_of_a_bad_body_is_short_and_redacted()
    {
        string body = "access_token=1000.secret " + new string('x', 500);
        var ex = Assert.Throws<ZohoClientException>(() => new ZohoResponse(200, body, "GET x").ParseJson());
        Assert.DoesNotContain("1000.secret", ex.Message);
        Assert.DoesNotContain(new string('x', 201), ex.Message);
        Assert.EndsWith("...", ex.Message);
    }

    [Fact]
    public void An_unrecognised_answer_names_the_request_and_shows_a_redacted_snippet()
    {
        var ex = new ZohoResponse(200, "{\"unexpected\":true,\"refresh_token\":\"1000.r\"," + new string(' ', 400) + "}", "POST https://www.zohoapis.com/crm/bulk/v8/write").Unrecognised();
        Assert.Equal("ZohoCrm.UnexpectedResponse", ex.Code);
        Assert.Equal(ErrorCategory.InvalidResult, ex.Category());
        Assert.Contains("POST https://www.zohoapis.com/crm/bulk/v8/write with HTTP 200", ex.Message);
        Assert.Contains("\"refresh_token\":\"***\"", ex.Message);
        Assert.EndsWith("...", ex.Message);
    }
}
