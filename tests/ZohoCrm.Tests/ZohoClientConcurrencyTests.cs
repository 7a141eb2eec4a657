using System.Diagnostics;
using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>
/// ZohoClient under concurrent calls: the connection's gate (at most 25 exchanges in flight), the shared 429 pause
/// (one call told to slow down holds back every call of the connection), and one token refresh for many 401s at once.
/// </summary>
public class ZohoClientConcurrencyTests
{
    private const string InvalidToken = "{\"code\":\"INVALID_TOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}";

    [Fact]
    public async Task No_more_than_25_exchanges_of_a_connection_are_in_flight()
    {
        int now = 0, most = 0;
        var release = new TaskCompletionSource();
        var handler = new FakeHandler(async (_, _, ct) =>
        {
            int n = Interlocked.Increment(ref now);
            InterlockedMax(ref most, n);
            await release.Task.WaitAsync(ct);
            Interlocked.Decrement(ref now);
            return FakeHandler.Json(200, "{}");
        });
        var client = Fake.Client(handler);
        var calls = Enumerable.Range(0, 40).Select(_ => client.SendAsync(Fake.Get(), CancellationToken.None)).ToArray();
        await WaitUntil(() => Volatile.Read(ref now) == ZohoClient.MaxConcurrentCalls);
        await Task.Delay(100);
        Assert.Equal(ZohoClient.MaxConcurrentCalls, client.CallsInFlight);
        release.SetResult();
        await Task.WhenAll(calls);
        Assert.Equal(ZohoClient.MaxConcurrentCalls, most);
        Assert.Equal(40, handler.Calls);
        Assert.Equal(0, client.CallsInFlight);
    }

    [Fact]
    public async Task A_429_pauses_every_call_of_the_connection_for_its_backoff()
    {
        var clock = Stopwatch.StartNew();
        var sent = new List<(int Index, double Ms)>();
        var handler = new FakeHandler((_, i) =>
        {
            lock (sent) sent.Add((i, clock.Elapsed.TotalMilliseconds));
            if (i != 0) return FakeHandler.Json(200, "{}");
            var tooMany = FakeHandler.Json(429, "{\"code\":\"TOO_MANY_REQUESTS\",\"status\":\"error\"}");
            tooMany.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return tooMany;
        });
        var client = Fake.Client(handler, new RetryPolicy(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1)));
        var first = client.SendAsync(Fake.Get(), CancellationToken.None);
        await WaitUntil(() => client.PausedUntil != null);
        double refusedAt;
        lock (sent) refusedAt = sent[0].Ms;
        // Calls started during the pause wait for its end instead of going out (and multiplying the 429s).
        var others = Enumerable.Range(0, 5).Select(_ => client.SendAsync(Fake.Get(), CancellationToken.None)).ToArray();
        await Task.WhenAll(others.Append(first));
        Assert.Equal(7, handler.Calls);
        foreach (var (index, ms) in sent.Where(s => s.Index > 0))
            Assert.True(ms - refusedAt >= 900, $"call {index} was sent {ms - refusedAt:0} ms after the 429, inside the 1 s pause");
        Assert.Null(client.PausedUntil);
    }

    [Fact]
    public async Task Many_401s_at_once_make_one_refresh()
    {
        int issued = 0, rejected = 0;
        var allIn = new TaskCompletionSource();
        var handler = new FakeHandler(async (r, _, ct) =>
        {
            if (r.Url.AbsolutePath.EndsWith("/oauth/v2/token", StringComparison.Ordinal))
            {
                int n = Interlocked.Increment(ref issued);
                return FakeHandler.Json(200, "{\"access_token\":\"1000.token-" + n + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
            }
            if (r.Header("Authorization") == "Zoho-oauthtoken 1000.token-1")
            {
                // Every call is answered 401 only once all of them are in flight with the first token.
                if (Interlocked.Increment(ref rejected) == 8) allIn.SetResult();
                await allIn.Task.WaitAsync(ct);
                return FakeHandler.Json(401, InvalidToken);
            }
            return FakeHandler.Json(200, "{}");
        });
        var http = new HttpClient(handler);
        var tokens = RefreshTokenProvider.For(new Uri("https://accounts.zoho.com"), "1000.CLIENT", Fake.Secure("secret-" + Guid.NewGuid().ToString("N")),
            Fake.Secure("1000.refresh-" + Guid.NewGuid().ToString("N")), http, TimeSpan.FromSeconds(30));
        var client = new ZohoClient(http, tokens, _ => true, Fake.NoRetry, TimeSpan.FromSeconds(30), null);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SendAsync(Fake.Get(), CancellationToken.None)));
        Assert.All(answers, a => Assert.Equal(200, a.StatusCode));
        // The first token, then one refresh for the eight rejections.
        Assert.Equal(2, issued);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold within 10 s");
            await Task.Delay(5);
        }
    }
}
