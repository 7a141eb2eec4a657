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
    public void No_secret_reaches_any_stream_or_file_in_bulk_write_and_under_faults()
    {
        var options = new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(50), RefreshLimit = 1000 };
        using var t = new OwnEmulator(options);
        var host = t.Host;
        string dir = Directory.CreateTempSubdirectory("zcrm-secrets").FullName;
        t.Ps.Set("dir", dir);
        host.State.AddFault(new FaultRule { Kind = FaultKind.ServerError, Method = "GET", PathContains = "/crm/bulk/", Times = 2 });
        host.State.AddFault(new FaultRule { Kind = FaultKind.ExpireTokens, Method = "POST", PathContains = "/upload", Times = 1 });
        host.State.AddFault(new FaultRule { Kind = FaultKind.TooManyRequestsRetryAfterHeader, PathContains = ".zip", Times = 1, RetryAfterSeconds = 0 });
        var scripts = new[]
        {
            t.Connect + " -Verbose -Debug",
            "1..3 | ForEach-Object { @{ Last_Name = \"S $_\"; Email = \"s$_@example.com\" } } | New-ZcrmBulkWriteJob Leads -Wait -Verbose -Debug | Get-ZcrmBulkWriteJob -Verbose -Debug | Get-ZcrmBulkWriteResult -OutFile $dir -Verbose -Debug",
            "@{ Last_Name = 'W' } | New-ZcrmBulkWriteJob Leads -WhatIf -Verbose -Debug",
            "@{ Last_Name = 'x'; Bad = 1 }, @{ Last_Name = 'y'; Worse = 2 } | New-ZcrmBulkWriteJob Leads -Verbose -Debug",
            "New-ZcrmBulkWriteJob Leads -FileId 4150868000005364001 -FieldMapping @{ Last_Name1 = 0 } -Verbose -Debug",
            "Get-ZcrmBulkWriteJob 415086800000539200 -Verbose -Debug",
            "[pscustomobject]@{ JobId = '1'; DownloadUrl = 'https://evil.example.com/x.zip' } | Get-ZcrmBulkWriteResult -Verbose -Debug",
            "Get-ZcrmBulkWriteResult 4150868000005392002 -Verbose -Debug",
            "$Error | ForEach-Object { $_.ToString(); $_.Exception.ToString() }",
        };
        var texts = scripts.SelectMany(script => t.Ps.Invoke(script).AllText()).ToList();
        foreach (var file in Directory.GetFiles(dir))
            using (var zip = System.IO.Compression.ZipFile.OpenRead(file))
                foreach (var e in zip.Entries) texts.Add(new StreamReader(e.Open()).ReadToEnd());
        var secrets = new List<string> { options.ClientSecret, options.RefreshToken };
        secrets.AddRange(host.State.Requests.Select(r => r.Headers.TryGetValue("Authorization", out var h) ? h.Split(' ', 2)[1] : null).OfType<string>().Distinct());
        Assert.True(secrets.Count >= 4, "expected the access tokens before and after the forced refresh");
        Assert.Contains(texts, x => x.Contains("/upload -> 200"));
        foreach (var secret in secrets)
            foreach (var text in texts)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A secret leaked into: {text}");
        Directory.Delete(dir, true);
    }


    [Fact]
    public void Redactor_hides_token_fields_in_bodies_forms_queries_and_headers()
    {
        // Through the module's own log path: a debug line of a token answer would look like this.
        var r = Ps.Invoke("[ZohoCrm.Connection].Assembly.GetType('ZohoCrm.Redactor').GetMethod('Redact').Invoke($null, @(,$args[0]))",
            args: new object[] { "{\"access_token\":\"1000.abc\",\"refresh_token\" : \"1000.def\",\"code\":\"INVALID_DATA\"} client_secret=xyz&refresh_token=123 Authorization: Zoho-oauthtoken 1000.ghi ?token=1000.jkl" });
        r.AssertNoErrors();
        string redacted = r.Output.Single().ToString();
        foreach (var s in new[] { "1000.abc", "1000.def", "xyz", "123", "1000.ghi", "1000.jkl" })
            Assert.DoesNotContain(s, redacted);
        Assert.Contains("INVALID_DATA", redacted); // Zoho's error codes stay readable under -Debug
    }
}
