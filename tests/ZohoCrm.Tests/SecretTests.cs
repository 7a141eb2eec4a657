using ZohoCrm.Emulator;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

/// <summary>
/// Runs every cmdlet, in success and failure, with -Verbose -Debug and scans everything a user, a transcript or
/// a log could see for the client secret, the refresh token and every access token that was used.
/// </summary>
public class SecretTests : ModuleTestBase, IClassFixture<FastJobsFixture>
{
    public SecretTests(FastJobsFixture fixture) : base(fixture) { }

    [Fact]
    public void No_secret_reaches_any_stream_error_or_object_text()
    {
        Ps.Set("wrongSecret", PsSession.Secure("wrong-" + Options.ClientSecret));
        var scripts = new[]
        {
            "$DebugPreference = 'Continue'; $VerbosePreference = 'Continue'",
            ConnectRefresh + " -PassThru -Verbose -Debug",
            "Get-ZcrmConnection -Verbose -Debug",
            "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001,1306462000000496025,475243000003269880,1 -Force -Verbose -Debug",
            "Invoke-ZcrmMassUpdate Leads @{ No_of_Employees1 = 1 } -Id 738964000002131001 -Force -Verbose -Debug",
            "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Cold' } -CustomViewId 738964000000091570 -Wait -Force -Verbose -Debug",
            "Get-ZcrmMassUpdateJob Leads 1 -Verbose -Debug",
            "Connect-Zcrm -ApiDomain $emu -ClientId $clientId -ClientSecret $wrongSecret -RefreshToken $refreshToken -Verbose -Debug",
            ConnectRefresh + " -Verbose -Debug",
            "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Warm' } -Id 738964000002131001 -Force -Verbose -Debug",
            "$Error | ForEach-Object { $_.ToString(); $_.Exception.ToString(); $_.InvocationInfo.Line }",
        };
        var texts = new List<string>();
        foreach (var script in scripts)
        {
            if (script.Contains("Rating = 'Warm'")) State.ExpireAllTokens();
            texts.AddRange(Ps.Invoke(script).AllText());
        }

        var secrets = new List<string> { Options.ClientSecret, Options.RefreshToken, Options.StaticAccessToken };
        var used = State.Requests
            .Select(r => r.Headers.TryGetValue("Authorization", out var h) ? h : null)
            .Where(h => h != null).Select(h => h!.Split(' ', 2)[1]).Distinct().ToList();
        Assert.True(used.Count >= 2, "expected at least two access tokens (before and after the refresh)");
        secrets.AddRange(used);

        Assert.Contains(texts, t => t.Contains("-> 200")); // the verbose call log was there
        Assert.Contains(texts, t => t.Contains("INVALID_DATA"));
        foreach (var secret in secrets)
            foreach (var text in texts)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A secret leaked into: {text}");
    }

    [Fact]
    public void Redactor_hides_token_fields_in_bodies_forms_queries_and_headers()
    {
        // Through the module's own log path: a debug line of a token answer would look like this.
        var r = Ps.Invoke("[ZohoCrm.Connection].Assembly.GetType('ZohoCrm.Redactor').GetMethod('Redact').Invoke($null, @(,$args[0]))",
            args: new object[] { "{\"access_token\":\"1000.abc\",\"refresh_token\" : \"1000.def\"} client_secret=xyz&code=123 Authorization: Zoho-oauthtoken 1000.ghi ?token=1000.jkl" });
        r.AssertNoErrors();
        string redacted = r.Output.Single().ToString();
        foreach (var s in new[] { "1000.abc", "1000.def", "xyz", "123", "1000.ghi", "1000.jkl" })
            Assert.DoesNotContain(s, redacted);
    }
}
