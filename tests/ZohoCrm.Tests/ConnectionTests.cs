using System.Management.Automation;
using ZohoCrm.Emulator;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

public class ConnectionTests : ModuleTestBase, IClassFixture<EmulatorFixture>
{
    public ConnectionTests(EmulatorFixture fixture) : base(fixture) { }

    [Fact]
    public void Module_exports_exactly_the_documented_cmdlets()
    {
        var names = Ps.Invoke("(Get-Module ZohoCrm).ExportedCmdlets.Keys").Output.Select(o => o.ToString()).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "Connect-Zcrm", "Disconnect-Zcrm", "Get-ZcrmBulkWriteJob", "Get-ZcrmBulkWriteResult", "Get-ZcrmConnection", "Get-ZcrmMassUpdateJob", "Invoke-ZcrmMassUpdate", "New-ZcrmBulkWriteJob" }, names);
        var manifest = Ps.Invoke("$m = Get-Module ZohoCrm; $m.Version.ToString(); $m.PowerShellVersion.ToString(); $m.CompatiblePSEditions -join ','; $m.PrivateData.PSData.Tags -contains 'Zoho'");
        manifest.AssertNoErrors();
        Assert.Equal(new[] { "0.1.0", "5.1", "Desktop,Core", "True" }, manifest.Output.Select(o => o.ToString()));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(Paths.ModuleManifest)!, "System.Management.Automation.dll")));
    }

    [Fact]
    public void Refresh_token_connect_has_a_token_at_once_and_shows_no_secret()
    {
        var r = Ps.Invoke(ConnectRefresh + " -PassThru -Verbose");
        r.AssertNoErrors();
        Assert.True(State.TokensIssued >= 1);
        var c = Assert.Single(r.Of("Connection"));
        string emu = Host.BaseUrl.ToString().TrimEnd('/');
        Assert.Equal(emu, c.ApiDomain);
        Assert.Equal(emu, c.AccountsUrl);
        Assert.Equal(emu, c.UploadUrl);
        Assert.Equal("Custom", c.DataCenter);
        Assert.Equal("v8", c.ApiVersion);
        Assert.Equal("RefreshToken", c.AuthType);
        Assert.Equal(Options.ClientId, c.ClientId);
        Assert.True(c.ExpiresOn > DateTimeOffset.Now.AddMinutes(50));
        var same = Ps.Invoke("Get-ZcrmConnection").Of("Connection").Single();
        Assert.Same(c, same);
        foreach (var text in r.AllText().Append((string)c.ToString()))
        {
            Assert.DoesNotContain(Options.ClientSecret, text);
            Assert.DoesNotContain(Options.RefreshToken, text);
        }
        Assert.DoesNotContain(((object)c).GetType().GetProperties(), p => p.PropertyType == typeof(System.Security.SecureString));
    }

    [Theory]
    [InlineData("EU", "https://www.zohoapis.eu", "https://accounts.zoho.eu", "https://content.zohoapis.eu")]
    [InlineData("CA", "https://www.zohoapis.ca", "https://accounts.zohocloud.ca", "https://upload.zohocloud.ca")]
    [InlineData("SA", "https://www.zohoapis.sa", "https://accounts.zoho.sa", "https://files.zoho.sa")]
    [InlineData("US", "https://www.zohoapis.com", "https://accounts.zoho.com", "https://content.zohoapis.com")]
    public void DataCenter_picks_the_three_hosts(string dc, string api, string accounts, string upload)
    {
        // An access-token connection sends nothing at connect time: no traffic leaves this machine.
        var r = Ps.Invoke($"Connect-Zcrm -AccessToken $accessToken -DataCenter {dc} -ApiVersion v2 -OrgId 123 -PassThru");
        r.AssertNoErrors();
        var c = r.Of("Connection").Single();
        Assert.Equal((api, accounts, upload, dc, "v2", "123", "AccessToken"), (c.ApiDomain, c.AccountsUrl, c.UploadUrl, c.DataCenter, c.ApiVersion, c.OrgId, c.AuthType));
        Assert.Null(c.ExpiresOn);
    }

    [Fact]
    public void Known_ApiDomain_brings_its_data_centers_hosts_and_overrides_win()
    {
        var r = Ps.Invoke("Connect-Zcrm -AccessToken $accessToken -ApiDomain https://www.zohoapis.in -UploadUrl https://upload.example.test -PassThru");
        r.AssertNoErrors();
        var c = r.Of("Connection").Single();
        Assert.Equal(("IN", "https://accounts.zoho.in", "https://upload.example.test"), (c.DataCenter, c.AccountsUrl, c.UploadUrl));
    }

    [Fact]
    public void Http_on_loopback_is_accepted()
    {
        var r = Ps.Invoke("Connect-Zcrm -AccessToken $accessToken -ApiDomain http://localhost:1 -PassThru; Connect-Zcrm -AccessToken $accessToken -ApiDomain 'http://[::1]:1' -PassThru");
        r.AssertNoErrors();
        Assert.Equal(2, r.Of("Connection").Length);
    }

    [Theory]
    [InlineData("wrong-secret", null, "invalid_client", "client id and secret")]
    [InlineData(null, "1000.wrong.refresh", "invalid_code", "refresh token")]
    public void Refresh_failures_are_one_clear_authentication_error(string? secret, string? refresh, string code, string text)
    {
        Ps.Set("s", PsSession.Secure(secret ?? Options.ClientSecret));
        Ps.Set("rt", PsSession.Secure(refresh ?? Options.RefreshToken));
        var r = Ps.Invoke("Connect-Zcrm -ApiDomain $emu -ClientId $clientId -ClientSecret $s -RefreshToken $rt");
        var e = r.Terminating!;
        Assert.Equal(code, e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
        Assert.Contains(text, e.Exception.Message);
        Assert.Contains("-DataCenter", e.Exception.Message);
        Assert.DoesNotContain("wrong-secret", e.Exception.ToString());
        Assert.DoesNotContain("1000.wrong.refresh", e.Exception.ToString());
        Assert.Empty(Ps.Invoke("Get-ZcrmConnection -ErrorAction SilentlyContinue").Output);
    }

    [Fact]
    public void Another_runspace_does_not_see_this_ones_connection_but_can_use_it_explicitly()
    {
        var r = Ps.Invoke(ConnectRefresh + " -PassThru");
        r.AssertNoErrors();
        var conn = r.Of("Connection").Single();
        using var other = new PsSession();
        var seen = other.Invoke("Get-ZcrmConnection");
        Assert.Empty(seen.Output);
        Assert.Equal("ZohoCrm.NotConnected", Assert.Single(seen.Errors).FullyQualifiedErrorId.Split(',')[0]);
        var notConnected = other.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force");
        Assert.Equal("ZohoCrm.NotConnected", notConnected.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
        other.Set("conn", conn);
        var explicitly = other.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Connection $conn -Force");
        explicitly.AssertNoErrors();
        Assert.Equal("success", explicitly.Of("MassUpdateResult").Single().Status);
    }

    [Fact]
    public void Disconnect_forgets_the_connection()
    {
        Ps.Invoke(ConnectRefresh).AssertNoErrors();
        Ps.Invoke("Disconnect-Zcrm").AssertNoErrors();
        Assert.Empty(Ps.Invoke("Get-ZcrmConnection -ErrorAction SilentlyContinue").Output);
    }
}

public class TokenExpiryTests
{
    [Fact]
    public async Task Connect_refreshes_at_once_and_reconnecting_reuses_the_valid_token()
    {
        using var t = new OwnEmulator(new EmulatorOptions());
        var host = t.Host;
        t.Ps.Invoke(t.Connect).AssertNoErrors();
        Assert.Equal(1, host.State.TokensIssued); // refreshed at connect: a wrong secret would fail here
        using var other = new PsSession();
        foreach (var ps in new[] { t.Ps, t.Ps, other })
        {
            ps.Set("emu", host.BaseUrl.ToString().TrimEnd('/'));
            ps.Set("clientId", t.Options.ClientId);
            ps.Set("clientSecret", PsSession.Secure(t.Options.ClientSecret));
            ps.Set("refreshToken", PsSession.Secure(t.Options.RefreshToken));
            ps.Invoke(t.Connect).AssertNoErrors();
        }
        // Zoho counts tokens per refresh token: the process shares one, across connections and runspaces.
        Assert.Equal(1, host.State.TokensIssued);
        host.State.ExpireAllTokens();
        t.Ps.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force").AssertNoErrors();
        other.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force").AssertNoErrors();
        Assert.Equal(2, host.State.TokensIssued);
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_once_and_the_call_succeeds()
    {
        using var t = new OwnEmulator(new EmulatorOptions());
        var host = t.Host;
        t.Ps.Invoke(t.Connect).AssertNoErrors();
        Assert.Equal(1, host.State.TokensIssued);
        host.State.ExpireAllTokens();
        host.State.ClearRequests();
        var r = t.Ps.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001,738964000002130131 -Force -Verbose");
        r.AssertNoErrors();
        Assert.All(r.Of("MassUpdateResult"), x => Assert.Equal("success", x.Status));
        Assert.Equal(2, host.State.TokensIssued);
        var calls = host.State.Requests.Select(q => (q.Method, q.Path, q.StatusCode)).ToList();
        Assert.Equal(new[] { 401, 200, 200 }, calls.Select(c => c.StatusCode));
        Assert.EndsWith("/oauth/v2/token", calls[1].Path);
        Assert.Contains(r.Verbose, v => v.Contains("INVALID_TOKEN"));
    }

    [Fact]
    public async Task A_token_near_expiry_is_refreshed_before_the_call()
    {
        using var t = new OwnEmulator(new EmulatorOptions { TokenLifetime = TimeSpan.FromSeconds(2) });
        var host = t.Host;
        t.Ps.Invoke(t.Connect).AssertNoErrors();
        Thread.Sleep(TimeSpan.FromSeconds(2.1));
        host.State.ClearRequests();
        var r = t.Ps.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force");
        r.AssertNoErrors();
        Assert.DoesNotContain(host.State.Requests, q => q.StatusCode == 401);
        Assert.Equal(2, host.State.TokensIssued);
    }

    [Fact]
    public async Task An_access_token_connection_cannot_refresh_and_says_so()
    {
        using var t = new OwnEmulator(new EmulatorOptions { TokenLifetime = TimeSpan.FromHours(1) });
        var host = t.Host;
        using var http = new HttpClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = t.Options.ClientId, ["client_secret"] = t.Options.ClientSecret, ["refresh_token"] = t.Options.RefreshToken,
        });
        var answer = System.Text.Json.Nodes.JsonNode.Parse(await (await http.PostAsync(host.BaseUrl + "oauth/v2/token", form)).Content.ReadAsStringAsync())!;
        t.Ps.Set("tok", PsSession.Secure(answer["access_token"]!.GetValue<string>()));
        t.Ps.Invoke("Connect-Zcrm -ApiDomain $emu -AccessToken $tok").AssertNoErrors();
        host.State.ExpireAllTokens();
        var r = t.Ps.Invoke("Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force");
        Assert.Equal("INVALID_TOKEN", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.AuthenticationError, r.Terminating.CategoryInfo.Category);
    }

}
