using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Cmdlets;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>
/// Data center hosts and the URL checks (DataCenters.cs): which base URLs are accepted, plain http only on loopback;
/// and the hosts a bulk write result may be downloaded from (BulkWriteService.ResolveDownloadUrl).
/// </summary>
public class DataCentersTests
{
    [Theory]
    [InlineData(ZohoDataCenter.US, "https://accounts.zoho.com", "https://www.zohoapis.com", "https://content.zohoapis.com")]
    [InlineData(ZohoDataCenter.EU, "https://accounts.zoho.eu", "https://www.zohoapis.eu", "https://content.zohoapis.eu")]
    [InlineData(ZohoDataCenter.IN, "https://accounts.zoho.in", "https://www.zohoapis.in", "https://content.zohoapis.in")]
    [InlineData(ZohoDataCenter.AU, "https://accounts.zoho.com.au", "https://www.zohoapis.com.au", "https://content.zohoapis.com.au")]
    [InlineData(ZohoDataCenter.JP, "https://accounts.zoho.jp", "https://www.zohoapis.jp", "https://content.zohoapis.jp")]
    [InlineData(ZohoDataCenter.CN, "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn", "https://content.zohoapis.com.cn")]
    [InlineData(ZohoDataCenter.CA, "https://accounts.zohocloud.ca", "https://www.zohoapis.ca", "https://upload.zohocloud.ca")]
    [InlineData(ZohoDataCenter.SA, "https://accounts.zoho.sa", "https://www.zohoapis.sa", "https://files.zoho.sa")]
    [InlineData(ZohoDataCenter.UK, "https://accounts.zoho.uk", "https://www.zohoapis.uk", "https://upload.zoho.com")]
    public void Each_data_center_has_its_accounts_API_and_upload_hosts(ZohoDataCenter dc, string accounts, string api, string upload)
    {
        var hosts = DataCenters.Get(dc);
        Assert.Equal(dc, hosts.DataCenter);
        Assert.Equal(accounts, hosts.AccountsUrl);
        Assert.Equal(api, hosts.ApiDomain);
        Assert.Equal(upload, hosts.UploadUrl);
        Assert.Equal(dc, DataCenters.FromApiDomain(new Uri(api))!.DataCenter);
    }

    [Fact]
    public void Every_data_center_is_known() =>
        Assert.All(Enum.GetValues<ZohoDataCenter>(), dc => Assert.Equal(dc, DataCenters.Get(dc).DataCenter));

    [Theory]
    [InlineData("https://WWW.ZOHOAPIS.EU", ZohoDataCenter.EU)]
    [InlineData("https://www.zohoapis.com/crm", ZohoDataCenter.US)]
    public void The_data_center_is_found_from_the_API_host_ignoring_case_and_path(string url, ZohoDataCenter dc) =>
        Assert.Equal(dc, DataCenters.FromApiDomain(new Uri(url))!.DataCenter);

    [Theory]
    [InlineData("http://www.zohoapis.com")]        // Zoho is https only
    [InlineData("https://zohoapis.com")]
    [InlineData("https://www.zohoapis.com.evil.example")]
    [InlineData("http://127.0.0.1:5000")]
    public void Other_API_domains_are_custom(string url) => Assert.Null(DataCenters.FromApiDomain(new Uri(url)));

    private static readonly Uri Accounts = new("http://127.0.0.1:5000");
    private static readonly Uri Us = new("https://www.zohoapis.com");

    [Theory]
    [InlineData("https://www.zohoapis.eu", "https://www.zohoapis.eu/")]
    [InlineData("https://WWW.ZOHOAPIS.UK/", "https://www.zohoapis.uk/")]
    [InlineData("https://www.zohoapis.com.au:443", "https://www.zohoapis.com.au/")]
    [InlineData(null, "https://www.zohoapis.com/")]
    [InlineData("", "https://www.zohoapis.com/")]
    public void The_token_answers_api_domain_is_taken_when_it_is_a_known_data_centers(string? fromAnswer, string expected) =>
        Assert.Equal(expected, DataCenters.TrustedApiDomain(fromAnswer!, null, Us, Accounts).ToString());

    [Theory]
    [InlineData("https://www.zohoapis.com.evil.test")]
    [InlineData("https://evil.test")]
    [InlineData("http://www.zohoapis.com")]
    [InlineData("https://www.zohoapis.com:8443")]
    [InlineData("https://user:pw@www.zohoapis.com")]
    [InlineData("https://zohoapis.com")]
    [InlineData("https://sandbox.zohoapis.com")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("not a url")]
    public void Any_other_api_domain_in_the_token_answer_is_refused_naming_it(string fromAnswer)
    {
        var ex = Assert.Throws<ZohoClientException>(() => DataCenters.TrustedApiDomain(fromAnswer, null, Us, Accounts));
        Assert.Equal("ZohoCrm.UntrustedApiDomain", ex.Code);
        Assert.True(ErrorPolicy.EndsCommand(ex));
        Assert.Contains("-ApiDomain", ex.Message);
        Assert.Contains("http://127.0.0.1:5000", ex.Message);
        Assert.DoesNotContain("pw", ex.Message);
        if (Uri.TryCreate(fromAnswer, UriKind.Absolute, out var u)) Assert.Contains(u.Host, ex.Message);
    }

    [Theory]
    [InlineData("https://www.zohoapis.com.evil.test")]
    [InlineData("https://www.zohoapis.eu")]
    [InlineData(null)]
    public void The_domain_the_user_gave_wins_over_the_token_answer(string? fromAnswer)
    {
        var given = new Uri("http://127.0.0.1:5000");
        Assert.Same(given, DataCenters.TrustedApiDomain(fromAnswer!, given, given, Accounts));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://127.1.2.3/", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://LOCALHOST", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://10.0.0.1", false)]
    [InlineData("http://192.168.1.10", false)]
    [InlineData("http://0.0.0.0", false)]
    [InlineData("http://localhost.example.com", false)]
    [InlineData("http://127.0.0.1.nip.io", false)]
    [InlineData("http://[::2]", false)]
    public void Loopback_is_127_x_localhost_and_ipv6_one(string url, bool loopback) => Assert.Equal(loopback, DataCenters.IsLoopback(new Uri(url)));

    [Theory]
    [InlineData("https://www.zohoapis.com", "https://www.zohoapis.com/")]
    [InlineData("  https://www.zohoapis.com/  ", "https://www.zohoapis.com/")]
    [InlineData("https://proxy.example.com/zoho/", "https://proxy.example.com/zoho")]
    [InlineData("http://127.0.0.1:5123", "http://127.0.0.1:5123/")]
    [InlineData("http://localhost:5123/", "http://localhost:5123/")]
    [InlineData("http://[::1]:5123", "http://[::1]:5123/")]
    public void Base_URLs_are_accepted_and_normalised(string value, string expected) =>
        Assert.Equal(expected, DataCenters.ParseBaseUrl(value, "-ApiDomain").AbsoluteUri);

    private static ZohoValidationException Refused(string? value, string code)
    {
        var ex = Assert.Throws<ZohoValidationException>(() => DataCenters.ParseBaseUrl(value!, "-ApiDomain"));
        Assert.Equal(code, ex.Code);
        Assert.Equal("-ApiDomain", ex.ParameterName);
        Assert.Contains("-ApiDomain", ex.Message);
        return ex;
    }

    [Theory]
    [InlineData("http://www.zohoapis.com")]
    [InlineData("http://proxy.internal:8080")]
    [InlineData("http://10.0.0.5")]
    [InlineData("http://localhost.example.com")]
    public void Plain_http_off_loopback_is_refused(string value) => Assert.Contains("plain http", Refused(value, "ZohoCrm.InsecureUrl").Message);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("www.zohoapis.com")]
    [InlineData("/crm/v8")]
    [InlineData("ftp://www.zohoapis.com")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://www.zohoapis.com/?x=1")]
    [InlineData("https://www.zohoapis.com/#frag")]
    public void Other_bad_URLs_are_refused(string? value) => Refused(value, "ZohoCrm.InvalidUrl");

    [Fact]
    public void User_info_is_refused_without_repeating_the_password()
    {
        var ex = Refused("https://me:p4ssw0rd@www.zohoapis.com", "ZohoCrm.InvalidUrl");
        Assert.DoesNotContain("p4ssw0rd", ex.Message);
        Assert.Contains("www.zohoapis.com", ex.Message);
    }

    [Theory]
    [InlineData("https://WWW.ZohoApis.com/crm/v8", "https://www.zohoapis.com")]
    [InlineData("https://www.zohoapis.com:443/", "https://www.zohoapis.com")]
    [InlineData("http://127.0.0.1:5123/x", "http://127.0.0.1:5123")]
    public void Authority_is_scheme_host_and_port_in_lower_case(string url, string expected) => Assert.Equal(expected, DataCenters.Authority(new Uri(url)));

    // --- Where results may be downloaded from --------------------------------------------------------------------

    private static BulkWriteService Service(string apiDomain = "https://www.zohoapis.com", string upload = "https://content.zohoapis.com") =>
        new(Fake.Connection(FakeHandler.Always(200), apiDomain: apiDomain, uploadUrl: upload));

    [Theory]
    [InlineData("https://download.zoho.com/v2/crm/123/bulk-write/456/456.zip")]
    [InlineData("https://download-accl.zoho.com/v2/crm/123/bulk-write/456/456.zip")]
    [InlineData("https://download.zoho.eu/x.zip")]
    [InlineData("https://download.zoho.in/x.zip")]
    [InlineData("https://download.zoho.com.au/x.zip")]
    [InlineData("https://download.zoho.jp/x.zip")]
    [InlineData("https://download.zoho.com.cn/x.zip")]
    [InlineData("https://download.zoho.sa/x.zip")]
    [InlineData("https://download-accl.zoho.uk/x.zip")]
    [InlineData("https://download.zohocloud.ca/x.zip")]
    [InlineData("https://download-accl.zohocloud.ca/x.zip")]
    [InlineData("https://DOWNLOAD.ZOHO.COM/x.zip")]
    [InlineData("https://www.zohoapis.com/crm/bulk/v8/write/1/result")]
    [InlineData("https://content.zohoapis.com/x.zip")]
    public void Zoho_download_hosts_and_the_connection_s_own_hosts_are_accepted(string url) =>
        Assert.Equal(new Uri(url), Service().ResolveDownloadUrl(url));

    [Theory]
    [InlineData("http://download.zoho.com/x.zip")]            // Zoho's hosts only over https
    [InlineData("https://download.zoho.com.evil.example/x.zip")]
    [InlineData("https://evildownload.zoho.com/x.zip")]
    [InlineData("https://download.zoho.org/x.zip")]
    [InlineData("https://download.zoho.uk.evil.example/x.zip")]
    [InlineData("https://download.zohocloud.com/x.zip")]
    [InlineData("https://files.zoho.com/x.zip")]
    [InlineData("https://accounts.zoho.com/x.zip")]
    [InlineData("https://127.0.0.1/x.zip")]
    public void Other_download_hosts_are_refused(string url)
    {
        var ex = Assert.Throws<ZohoClientException>(() => Service().ResolveDownloadUrl(url));
        Assert.Equal("ZohoCrm.ForeignHost", ex.Code);
        Assert.Equal(System.Management.Automation.ErrorCategory.SecurityError, ex.Category());
    }

    [Fact]
    public void A_relative_download_URL_is_on_the_API_domain()
    {
        Assert.Equal("https://www.zohoapis.com/crm/bulk/v8/write/9/result", Service().ResolveDownloadUrl("/crm/bulk/v8/write/9/result").AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5123/crm/bulk/v8/write/9/result",
            Service("http://127.0.0.1:5123", "http://127.0.0.1:5123").ResolveDownloadUrl("crm/bulk/v8/write/9/result").AbsoluteUri);
    }

    [Fact]
    public void Plain_http_is_accepted_for_a_loopback_connection_only()
    {
        var local = Service("http://127.0.0.1:5123", "http://127.0.0.1:5123");
        Assert.Equal("http://127.0.0.1:5123/r.zip", local.ResolveDownloadUrl("http://127.0.0.1:5123/r.zip").AbsoluteUri);
        Assert.Equal("ZohoCrm.ForeignHost", Assert.Throws<ZohoClientException>(() => local.ResolveDownloadUrl("http://127.0.0.1:9999/r.zip")).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_job_without_download_URL_has_nothing_to_download(string? url) =>
        Assert.Equal("ZohoCrm.NoDownloadUrl", Assert.Throws<ZohoClientException>(() => Service().ResolveDownloadUrl(url!)).Code);
}
