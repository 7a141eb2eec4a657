using System.Management.Automation;
using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>Secrets never reach a log or an error text (Redactor, and OperationLog which applies it to every message).</summary>
public class RedactorTests
{
    [Fact]
    public void Token_fields_in_JSON_are_redacted()
    {
        string body = "{\"access_token\":\"1000.abc.def\",\"refresh_token\":\"1000.ghi\",\"client_secret\":\"s3cr3t\",\"api_domain\":\"https://www.zohoapis.com\",\"token_type\":\"Bearer\",\"expires_in\":3600}";
        Assert.Equal("{\"access_token\":\"***\",\"refresh_token\":\"***\",\"client_secret\":\"***\",\"api_domain\":\"https://www.zohoapis.com\",\"token_type\":\"Bearer\",\"expires_in\":3600}",
            Redactor.Redact(body));
    }

    [Theory]
    [InlineData("{ \"access_token\" :  \"1000.abc\" }", "{ \"access_token\" :  \"***\" }")]
    [InlineData("{\"Access_Token\":\"1000.abc\"}", "{\"Access_Token\":\"***\"}")]
    [InlineData("{\"id_token\":\"eyJ.x.y\",\"password\":\"hunter2\",\"token\":\"t\"}", "{\"id_token\":\"***\",\"password\":\"***\",\"token\":\"***\"}")]
    [InlineData("[{\"access_token\":\"a\"},{\"access_token\":\"b\"}]", "[{\"access_token\":\"***\"},{\"access_token\":\"***\"}]")]
    public void JSON_redaction_handles_spacing_case_other_secret_names_and_repeats(string text, string expected) =>
        Assert.Equal(expected, Redactor.Redact(text));

    [Fact]
    public void Form_fields_are_redacted_and_the_others_kept()
    {
        string form = "grant_type=refresh_token&client_id=1000.CLIENT&client_secret=s3cr3t&refresh_token=1000.r3fr3sh";
        string redacted = Redactor.Redact(form);
        Assert.Equal("grant_type=refresh_token&client_id=1000.CLIENT&client_secret=***&refresh_token=***", redacted);
    }

    [Fact]
    public void Query_strings_are_redacted()
    {
        Assert.Equal("GET https://accounts.zoho.com/oauth/v2/token?access_token=***&scope=ZohoCRM.modules.ALL",
            Redactor.Redact("GET https://accounts.zoho.com/oauth/v2/token?access_token=1000.abc&scope=ZohoCRM.modules.ALL"));
        Assert.Equal("https://x.example/cb?refresh_token=*** done", Redactor.Redact("https://x.example/cb?refresh_token=1000.r done"));
    }

    [Theory]
    [InlineData("Authorization: Zoho-oauthtoken 1000.8cb99dxxxxxxxxxxxxx9be93.9b8xxxxxxxxxxxxxxxf", "Authorization: Zoho-oauthtoken ***")]
    [InlineData("authorization: zoho-oauthtoken 1000.abc_def-ghi", "authorization: zoho-oauthtoken ***")]
    [InlineData("Authorization: Bearer eyJhbGciOi.J9.x-y_z", "Authorization: Bearer ***")]
    public void Authorization_headers_are_redacted(string header, string expected) => Assert.Equal(expected, Redactor.Redact(header));

    [Fact]
    public void The_secret_text_itself_is_gone()
    {
        const string secret = "1000.4f1c2e9b7a";
        foreach (string text in new[]
                 {
                     "{\"access_token\":\"" + secret + "\"}",
                     "refresh_token=" + secret,
                     "x?client_secret=" + secret + "&a=b",
                     "Zoho-oauthtoken " + secret,
                 })
            Assert.DoesNotContain(secret, Redactor.Redact(text));
    }

    [Theory]
    [InlineData("{\"code\":\"INVALID_TOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}")]
    [InlineData("{\"code\":\"INVALID_DATA\",\"details\":{\"api_name\":\"Email\"},\"message\":\"invalid data\",\"status\":\"error\"}")]
    [InlineData("{\"error\":\"invalid_code\"}")]
    [InlineData("POST https://www.zohoapis.com/crm/v8/Leads/actions/mass_update -> 202 (35 ms)")]
    [InlineData("client_id=1000.CLIENT&grant_type=refresh_token")]
    [InlineData("{\"token_type\":\"Bearer\",\"expires_in\":3600}")]
    public void Zoho_codes_and_other_text_stay_readable(string text) => Assert.Equal(text, Redactor.Redact(text));

    private sealed class FakeSecrets(params string[] values) : ISecretSource
    {
        public IEnumerable<System.Security.SecureString> KnownSecrets() => values.Select(Fake.Secure);
    }

    [Fact]
    public void Bare_known_secrets_are_redacted_wherever_they_stand()
    {
        var source = new FakeSecrets("1000.bare4a7c1e.9d2f0b", "bare-client-secret-77", "1000.old.token.0001");
        Redactor.Register(source);
        string text = "the request with 1000.bare4a7c1e.9d2f0b could not be processed (seen: 1000.bare4a7c1e.9d2f0b; key bare-client-secret-77, old 1000.old.token.0001.)";
        Assert.Equal("the request with *** could not be processed (seen: ***; key ***, old ***.)", Redactor.Redact(text));
        GC.KeepAlive(source);
    }

    [Fact]
    public void Short_known_values_are_not_searched_for_bare()
    {
        var source = new FakeSecrets("abc");
        Redactor.Register(source);
        Assert.Equal("abc and abcdef", Redactor.Redact("abc and abcdef"));
        GC.KeepAlive(source);
    }

    [Fact]
    public void The_messages_details_and_code_of_a_Zoho_error_are_redacted()
    {
        var source = new FakeSecrets("1000.echoed.e77c0de5");
        Redactor.Register(source);
        var details = new System.Collections.Hashtable { ["seen"] = "1000.echoed.e77c0de5", ["nested"] = new System.Collections.Hashtable { ["x"] = new object[] { "1000.echoed.e77c0de5" } } };
        var ex = new ZohoApiException("INVALID_DATA", "the request with 1000.echoed.e77c0de5 failed", 400, details, "GET https://www.zohoapis.com/crm/v8/org");
        Assert.DoesNotContain("1000.echoed.e77c0de5", ex.Message);
        Assert.DoesNotContain("1000.echoed.e77c0de5", ex.ZohoMessage);
        Assert.Equal("***", ex.Details["seen"]);
        Assert.Equal("***", ((object[])((System.Collections.IDictionary)ex.Details["nested"]!)["x"]!)[0]);
        Assert.Equal("INVALID_DATA", ex.Code);
        GC.KeepAlive(source);
    }

    [Theory]
    [InlineData("{\"code\":\"1000.6b2e5f.9a01c3\",\"grant_type\":\"authorization_code\"}", "{\"code\":\"***\",\"grant_type\":\"authorization_code\"}")]
    [InlineData("grant_type=authorization_code&code=1000.6b2e5f.9a01c3&client_id=1000.C", "grant_type=authorization_code&code=***&client_id=1000.C")]
    [InlineData("https://localhost/cb?code=1000.6b2e5f.9a01c3&location=us", "https://localhost/cb?code=***&location=us")]
    [InlineData("{\"code\":\"SUCCESS\",\"status\":\"success\"}", "{\"code\":\"SUCCESS\",\"status\":\"success\"}")]
    public void A_grant_code_is_redacted_and_Zoho_status_codes_are_not(string text, string expected) =>
        Assert.Equal(expected, Redactor.Redact(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Nothing_stays_nothing(string? text) => Assert.Equal(text, Redactor.Redact(text!));

    private sealed class ListSink : IOperationSink
    {
        public List<string> Messages { get; } = new();
        public void Verbose(string message) => Messages.Add("V:" + message);
        public void Debug(string message) => Messages.Add("D:" + message);
        public void Warning(string message) => Messages.Add("W:" + message);
        public void Progress(OperationProgress progress) => Messages.Add("P:" + progress.Activity);
    }

    [Fact]
    public void Every_log_message_is_redacted_before_it_reaches_the_cmdlet()
    {
        var sink = new ListSink();
        var saved = OperationLog.Sink;
        OperationLog.Sink = sink;
        try
        {
            OperationLog.Verbose("sent refresh_token=1000.abc");
            OperationLog.Debug("answer: {\"access_token\":\"1000.def\"}");
            OperationLog.Warning("Authorization: Zoho-oauthtoken 1000.ghi");
            OperationLog.Progress(new OperationProgress(1, "activity", "status"));
        }
        finally { OperationLog.Sink = saved; }
        Assert.Equal(new[] { "V:sent refresh_token=***", "D:answer: {\"access_token\":\"***\"}", "W:Authorization: Zoho-oauthtoken ***", "P:activity" }, sink.Messages);
    }
}
