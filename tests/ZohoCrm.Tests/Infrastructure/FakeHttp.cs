using System.Net;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using ZohoCrm.Http;

namespace ZohoCrm.Tests.Infrastructure;

/// <summary>A request as the handler saw it, with its body read before the request is disposed.</summary>
public sealed record SeenRequest(HttpMethod Method, Uri Url, HttpRequestHeaders Headers, string? ContentType, string? Body)
{
    public string? Header(string name) => Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;
}

/// <summary>
/// An HttpMessageHandler that answers from a script instead of the network: no socket, no emulator. Each call gets
/// its 0-based index; every request is recorded.
/// </summary>
public sealed class FakeHandler : HttpMessageHandler
{
    private readonly Func<SeenRequest, int, CancellationToken, Task<HttpResponseMessage>> _answer;
    private readonly List<SeenRequest> _seen = new();

    public FakeHandler(Func<SeenRequest, int, CancellationToken, Task<HttpResponseMessage>> answer) { _answer = answer; }

    public FakeHandler(Func<SeenRequest, int, HttpResponseMessage> answer) : this((r, i, _) => Task.FromResult(answer(r, i))) { }

    /// <summary>Always the same kind of answer.</summary>
    public static FakeHandler Always(int status, string body = "{}") => new((_, _) => Json(status, body));

    /// <summary>The given answers in order; the last one repeats.</summary>
    public static FakeHandler Sequence(params Func<HttpResponseMessage>[] answers) => new((_, i) => answers[Math.Min(i, answers.Length - 1)]());

    public IReadOnlyList<SeenRequest> Requests { get { lock (_seen) return _seen.ToList(); } }
    public int Calls { get { lock (_seen) return _seen.Count; } }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var seen = new SeenRequest(request.Method, request.RequestUri!, request.Headers, request.Content?.Headers.ContentType?.ToString(), body);
        int index;
        lock (_seen) { index = _seen.Count; _seen.Add(seen); }
        var response = await _answer(seen, index, cancellationToken);
        response.RequestMessage ??= request;
        return response;
    }

    public static HttpResponseMessage Json(int status, string body) =>
        new((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}

/// <summary>A token provider that hands out "token-1", "token-2"... and counts refreshes.</summary>
internal sealed class CountingTokenProvider : ITokenProvider
{
    private int _generation = 1;
    public int Refreshes { get; private set; }
    public bool CanRefresh { get; init; } = true;
    public DateTimeOffset? ExpiresOn => null;
    public Task<AccessToken> GetAsync(CancellationToken ct) => Task.FromResult(new AccessToken("token-" + _generation, _generation));
    public Task RefreshAsync(int rejectedGeneration, CancellationToken ct)
    {
        Refreshes++;
        if (rejectedGeneration == _generation) _generation++;
        return Task.CompletedTask;
    }
}

/// <summary>Connections and clients over a <see cref="FakeHandler"/>.</summary>
internal static class Fake
{
    public static readonly RetryPolicy NoRetry = new(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(1));

    /// <summary>Retries with (almost) no wait, so tests stay fast.</summary>
    public static RetryPolicy QuickRetry(int maxRetries = 3) => new(maxRetries, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1));

    public static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (char c in s) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    public static Connection Connection(FakeHandler handler, string apiDomain = "https://www.zohoapis.com", string uploadUrl = "https://content.zohoapis.com",
        string accountsUrl = "https://accounts.zoho.com", RetryPolicy? retry = null, string? orgId = "4150868000000225013", ITokenProvider? tokens = null,
        TimeSpan? timeout = null) =>
        new(new Uri(apiDomain), new Uri(accountsUrl), new Uri(uploadUrl), "Custom", "v8", orgId, "AccessToken", null,
            tokens ?? new StaticTokenProvider(Secure("1000.static-token")), new HttpClient(handler), retry ?? NoRetry, timeout ?? TimeSpan.FromSeconds(30));

    public static ZohoClient Client(FakeHandler handler, RetryPolicy? retry = null, ITokenProvider? tokens = null, TimeSpan? timeout = null, Func<Uri, bool>? mayCarryToken = null) =>
        new(new HttpClient(handler), tokens ?? new StaticTokenProvider(Secure("1000.static-token")), mayCarryToken ?? (_ => true),
            retry ?? NoRetry, timeout ?? TimeSpan.FromSeconds(30), null);

    public static ZohoRequest Get(string url = "https://www.zohoapis.com/crm/v8/org") => new(HttpMethod.Get, new Uri(url)) { Idempotent = true };

    public static ZohoRequest Post(string url = "https://www.zohoapis.com/crm/bulk/v8/write", bool idempotent = false, string body = "{}") =>
        new(HttpMethod.Post, new Uri(url)) { Idempotent = idempotent, Content = () => new StringContent(body, Encoding.UTF8, "application/json") };
}
