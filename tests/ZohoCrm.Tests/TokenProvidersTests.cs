using System.Management.Automation;
using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Cmdlets;

namespace ZohoCrm.Tests;

/// <summary>
/// Access tokens (Connection/TokenProviders.cs): a given token used as is, and the OAuth refresh-token flow against a
/// scripted Zoho Accounts: what is sent, reuse, one refresh per rejected token, Zoho's limit of 10 per 10 minutes,
/// and the errors for each refusal.
/// </summary>
public class TokenProvidersTests
{
    private static string Token(string value = "1000.new-access", int expiresIn = 3600, string apiDomain = "https://www.zohoapis.eu") =>
        $"{{\"access_token\":\"{value}\",\"scope\":\"ZohoCRM.modules.ALL\",\"api_domain\":\"{apiDomain}\",\"token_type\":\"Bearer\",\"expires_in\":{expiresIn}}}";

    /// <summary>A provider for credentials of its own (providers are shared per accounts host, client and refresh token).</summary>
    private static (RefreshTokenProvider Provider, FakeHandler Handler, string Secret, string Refresh) Provider(FakeHandler handler)
    {
        string secret = "secret-" + Guid.NewGuid().ToString("N");
        string refresh = "1000.refresh-" + Guid.NewGuid().ToString("N");
        var provider = RefreshTokenProvider.For(new Uri("https://accounts.zoho.eu"), "1000.CLIENT", Fake.Secure(secret), Fake.Secure(refresh),
            new HttpClient(handler), TimeSpan.FromSeconds(30));
        return (provider, handler, secret, refresh);
    }

    [Fact]
    public async Task A_given_token_is_used_as_is_and_cannot_be_refreshed()
    {
        var secure = Fake.Secure("1000.given");
        var provider = new StaticTokenProvider(secure);
        secure.Dispose(); // the provider keeps its own copy
        var token = await provider.GetAsync(CancellationToken.None);
        Assert.Equal("1000.given", token.Value);
        Assert.False(provider.CanRefresh);
        Assert.Null(provider.ExpiresOn);
    }

    [Fact]
    public async Task The_refresh_sends_the_refresh_token_grant_to_Zoho_Accounts()
    {
        var (provider, handler, secret, refresh) = Provider(FakeHandler.Always(200, Token()));
        var token = await provider.GetAsync(CancellationToken.None);
        Assert.Equal("1000.new-access", token.Value);
        var seen = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, seen.Method);
        Assert.Equal("https://accounts.zoho.eu/oauth/v2/token", seen.Url.ToString());
        Assert.StartsWith("application/x-www-form-urlencoded", seen.ContentType);
        var form = seen.Body!.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("1000.CLIENT", form["client_id"]);
        Assert.Equal(secret, form["client_secret"]);
        Assert.Equal(refresh, form["refresh_token"]);
        Assert.Null(seen.Header("Authorization"));
        Assert.Equal("https://www.zohoapis.eu", provider.ApiDomainFromZoho);
        Assert.True(provider.CanRefresh);
    }

    [Fact]
    public async Task A_valid_token_is_reused()
    {
        var (provider, handler, _, _) = Provider(FakeHandler.Always(200, Token()));
        var first = await provider.GetAsync(CancellationToken.None);
        var second = await provider.GetAsync(CancellationToken.None);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(first.Generation, second.Generation);
        var expires = provider.ExpiresOn!.Value;
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
    }

    [Fact]
    public async Task Older_answers_with_expires_in_sec_use_it()
    {
        var (provider, _, _, _) = Provider(FakeHandler.Always(200, "{\"access_token\":\"a\",\"expires_in_sec\":600,\"expires_in\":600000}"));
        await provider.GetAsync(CancellationToken.None);
        Assert.InRange(provider.ExpiresOn!.Value, DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(11));
    }

    [Fact]
    public async Task A_rejected_token_is_refreshed_once_however_many_callers_saw_it()
    {
        int n = 0;
        var (provider, handler, _, _) = Provider(new FakeHandler((_, _) => FakeHandler.Json(200, Token("1000.token-" + ++n))));
        var first = await provider.GetAsync(CancellationToken.None);
        await provider.RefreshAsync(first.Generation, CancellationToken.None);
        await provider.RefreshAsync(first.Generation, CancellationToken.None); // a second caller with the same rejected token
        var now = await provider.GetAsync(CancellationToken.None);
        Assert.Equal(2, handler.Calls);
        Assert.Equal("1000.token-2", now.Value);
        Assert.Equal(first.Generation + 1, now.Generation);
    }

    [Fact]
    public async Task Never_more_than_10_refreshes_in_10_minutes()
    {
        var (provider, handler, _, _) = Provider(FakeHandler.Always(200, Token()));
        var token = await provider.GetAsync(CancellationToken.None);
        for (int i = 0; i < 9; i++)
        {
            await provider.RefreshAsync(token.Generation, CancellationToken.None);
            token = await provider.GetAsync(CancellationToken.None);
        }
        Assert.Equal(10, handler.Calls);
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => provider.RefreshAsync(token.Generation, CancellationToken.None));
        Assert.Equal("ZohoCrm.RefreshLimit", ex.Code);
        Assert.Equal(ErrorCategory.AuthenticationError, ex.Category());
        Assert.Contains("10 access tokens in the last 10 minutes", ex.Message);
        Assert.Equal(10, handler.Calls); // the 11th was never asked for
    }

    [Theory]
    [InlineData("{\"error\":\"invalid_client\"}", "invalid_client", "-ClientId and -ClientSecret", ErrorCategory.AuthenticationError)]
    [InlineData("{\"error\":\"invalid_code\"}", "invalid_code", "refused the refresh token", ErrorCategory.AuthenticationError)]
    [InlineData("<html><body>Access Denied</body></html>", "Access Denied", "more than 10 access tokens", ErrorCategory.AuthenticationError)]
    [InlineData("{\"error\":\"unsupported_grant_type\"}", "unsupported_grant_type", "(unsupported_grant_type)", ErrorCategory.InvalidArgument)]
    [InlineData("{}", "ZohoCrm.TokenRefreshFailed", "no access token", ErrorCategory.InvalidArgument)]
    public async Task Each_refusal_says_what_to_check_and_never_shows_the_secrets(string body, string code, string advice, ErrorCategory category)
    {
        var (provider, _, secret, refresh) = Provider(FakeHandler.Always(400, body));
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => provider.GetAsync(CancellationToken.None));
        Assert.Equal(code, ex.Code);
        Assert.Contains(advice, ex.Message);
        Assert.Contains("accounts.zoho.eu", ex.Message);
        Assert.Equal(category, ex.Category());
        Assert.True(ex.WouldFailEveryBatch); // a wrong credential fails every call alike: commands stop
        Assert.DoesNotContain(secret, ex.ToString());
        Assert.DoesNotContain(refresh, ex.ToString());
    }

    [Fact]
    public async Task A_refusal_that_echoes_the_secrets_shows_neither_them_nor_the_access_token()
    {
        // Zoho Accounts (or something in front of it) repeats what it was sent in its error: the bare values are
        // hidden wherever they stand, in the code (the ErrorId) as in the message, and so is the access token held.
        string secret = "", refresh = "";
        var (provider, _, s, r) = Provider(FakeHandler.Sequence(
            () => FakeHandler.Json(200, Token("1000.first-access-token")),
            () => FakeHandler.Json(200, $"{{\"error\":\"invalid {secret} {refresh} after 1000.first-access-token\"}}")));
        secret = s; refresh = r;
        var first = await provider.GetAsync(CancellationToken.None);
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => provider.RefreshAsync(first.Generation, CancellationToken.None));
        foreach (string value in new[] { secret, refresh, "1000.first-access-token" })
        {
            Assert.DoesNotContain(value, ex.ToString());
            Assert.DoesNotContain(value, ex.Code);
        }
        Assert.Contains("invalid ***", ex.Code);
    }

    [Fact]
    public async Task A_server_error_of_Zoho_Accounts_is_tried_again()
    {
        var (provider, handler, _, _) = Provider(FakeHandler.Sequence(() => FakeHandler.Json(503, "{}"), () => FakeHandler.Json(200, Token())));
        var token = await provider.GetAsync(CancellationToken.None);
        Assert.Equal("1000.new-access", token.Value);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Zoho_Accounts_failing_three_times_is_a_server_error()
    {
        var (provider, handler, _, _) = Provider(FakeHandler.Always(500, "{}"));
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => provider.GetAsync(CancellationToken.None));
        Assert.Equal("ZohoCrm.ServerError", ex.Code);
        Assert.Equal(ErrorCategory.ConnectionError, ex.Category());
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public void Connections_with_the_same_credentials_share_one_provider()
    {
        var http = new HttpClient(FakeHandler.Always(200, Token()));
        string refresh = "1000.shared-" + Guid.NewGuid().ToString("N");
        var a = RefreshTokenProvider.For(new Uri("https://accounts.zoho.com"), "c", Fake.Secure("s"), Fake.Secure(refresh), http, TimeSpan.FromSeconds(5));
        var b = RefreshTokenProvider.For(new Uri("https://ACCOUNTS.zoho.com/"), "c", Fake.Secure("s"), Fake.Secure(refresh), http, TimeSpan.FromSeconds(5));
        var otherSecret = RefreshTokenProvider.For(new Uri("https://accounts.zoho.com"), "c", Fake.Secure("s2"), Fake.Secure(refresh), http, TimeSpan.FromSeconds(5));
        var otherHost = RefreshTokenProvider.For(new Uri("https://accounts.zoho.eu"), "c", Fake.Secure("s"), Fake.Secure(refresh), http, TimeSpan.FromSeconds(5));
        Assert.Same(a, b);
        Assert.NotSame(a, otherSecret);
        Assert.NotSame(a, otherHost);
    }
}
