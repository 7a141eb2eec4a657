using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>-CallbackUrl's rule (CallbackUrls.Check): no user info, absolute http(s), a warning for plain http off loopback.</summary>
public class CallbackUrlsTests
{
    [Theory]
    [InlineData("https://hooks.example.com/zoho/done")]
    [InlineData("http://127.0.0.1:8080/done")]
    [InlineData("http://localhost/done")]
    public void Https_and_loopback_http_pass_quietly(string url) => Assert.Null(CallbackUrls.Check(url));

    [Fact]
    public void Plain_http_to_another_host_passes_with_a_warning_naming_the_host()
    {
        string warning = CallbackUrls.Check("http://hooks.example.com/done")!;
        Assert.Contains("hooks.example.com", warning);
        Assert.Contains("https", warning);
    }

    [Theory]
    [InlineData("https://user:pass@hooks.example.com/done")]
    [InlineData("https://user@hooks.example.com/done")]
    [InlineData("http://user:pass@127.0.0.1/done")]
    [InlineData("https://user:p ass@hooks.example.com/done")]
    public void User_info_is_refused_without_repeating_it(string url)
    {
        var ex = Assert.Throws<ZohoValidationException>(() => CallbackUrls.Check(url));
        Assert.Equal("ZohoCrm.CallbackUrlCredentials", ex.Code);
        Assert.Equal("CallbackUrl", ex.ParameterName);
        Assert.DoesNotContain("pass", ex.Message.Replace("password", ""));
        Assert.DoesNotContain("user:", ex.Message);
    }

    [Theory]
    [InlineData("/relative/path")]
    [InlineData("ftp://hooks.example.com/done")]
    [InlineData("hooks.example.com")]
    public void What_is_not_an_absolute_http_URL_is_refused(string url) =>
        Assert.Equal("ZohoCrm.InvalidCallbackUrl", Assert.Throws<ZohoValidationException>(() => CallbackUrls.Check(url)).Code);
}
