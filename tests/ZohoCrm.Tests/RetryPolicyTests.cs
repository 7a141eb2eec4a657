using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Management.Automation;
using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Cmdlets;
using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>
/// The retry policy: RetryPolicy.Delay (the backoff) and what ZohoClient.SendAsync retries, how often and within which
/// budget. The HTTP side is a scripted handler; delays are kept at a few milliseconds (or the budget forbids them), so
/// nothing here measures time.
/// </summary>
public class RetryPolicyTests
{
    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    private static RetryPolicy Policy(int maxRetries = 5, double baseMs = 1000, double maxDelayMs = 60_000, double maxTotalMs = 600_000) =>
        new(maxRetries, TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxDelayMs), TimeSpan.FromMilliseconds(maxTotalMs));

    private static HttpResponseMessage Status(int status, string body = "{}", TimeSpan? retryAfter = null, DateTimeOffset? retryAt = null)
    {
        var r = FakeHandler.Json(status, body);
        if (retryAfter.HasValue) r.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfter.Value);
        if (retryAt.HasValue) r.Headers.RetryAfter = new RetryConditionHeaderValue(retryAt.Value);
        return r;
    }

    private static async Task<(int Calls, int Status)> Send(RetryPolicy policy, ZohoRequest request, Func<HttpResponseMessage> first, Func<HttpResponseMessage>? then = null)
    {
        var handler = FakeHandler.Sequence(first, then ?? first);
        var response = await Fake.Client(handler, policy).SendAsync(request, CancellationToken.None);
        return (handler.Calls, response.StatusCode);
    }

    // --- Backoff ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(6, 32000)]
    [InlineData(7, 60000)]  // 64 s, capped
    [InlineData(60, 60000)] // no overflow
    public void Delay_doubles_per_attempt_with_equal_jitter_and_a_cap(int attempt, double ceilingMs)
    {
        var policy = Policy();
        Assert.Equal(ceilingMs / 2, policy.Delay(attempt, new FixedRandom(0.0)).TotalMilliseconds, 3);
        Assert.Equal(ceilingMs, policy.Delay(attempt, new FixedRandom(1.0)).TotalMilliseconds, 3);
        Assert.Equal(ceilingMs * 0.75, policy.Delay(attempt, new FixedRandom(0.5)).TotalMilliseconds, 3);
    }

    [Fact]
    public void Delay_stays_between_half_and_all_of_the_ceiling_with_a_real_random()
    {
        var policy = Policy(baseMs: 250, maxDelayMs: 5000);
        var random = new Random(1234);
        for (int attempt = 1; attempt <= 12; attempt++)
        {
            double ceiling = Math.Min(5000, 250 * Math.Pow(2, attempt - 1));
            for (int i = 0; i < 200; i++)
            {
                double ms = policy.Delay(attempt, random).TotalMilliseconds;
                Assert.InRange(ms, ceiling / 2, ceiling);
            }
        }
    }

    [Fact]
    public void A_zero_base_delay_never_waits() => Assert.Equal(TimeSpan.Zero, Policy(baseMs: 0).Delay(5, new Random()));

    [Fact]
    public void ToString_describes_the_policy_in_invariant_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("5 retries, base 1.5 s, cap 60 s, budget 600 s", Policy(baseMs: 1500).ToString());
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }

    // --- Which answers are retried ------------------------------------------------------------------------------

    [Fact]
    public async Task A_429_is_retried_even_for_a_request_that_is_not_safe_to_repeat()
    {
        var (calls, status) = await Send(Fake.QuickRetry(), Fake.Post(idempotent: false), () => Status(429), () => Status(200));
        Assert.Equal(2, calls);
        Assert.Equal(200, status);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_5xx_is_retried_for_an_idempotent_request(int code)
    {
        var (calls, status) = await Send(Fake.QuickRetry(), Fake.Get(), () => Status(code), () => Status(200));
        Assert.Equal(2, calls);
        Assert.Equal(200, status);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_5xx_is_not_retried_for_a_request_that_may_have_been_carried_out(int code)
    {
        // e.g. creating a bulk write job: a second call would make a second job.
        var (calls, status) = await Send(Fake.QuickRetry(), Fake.Post(idempotent: false), () => Status(code), () => Status(200));
        Assert.Equal(1, calls);
        Assert.Equal(code, status);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(501)]
    [InlineData(200)]
    [InlineData(202)]
    public async Task Other_answers_are_not_retried(int code)
    {
        var (calls, status) = await Send(Fake.QuickRetry(), Fake.Get(), () => Status(code), () => Status(299));
        Assert.Equal(1, calls);
        Assert.Equal(code, status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public async Task At_most_MaxRetries_retries_then_the_last_answer_is_returned(int maxRetries)
    {
        var (calls, status) = await Send(Fake.QuickRetry(maxRetries), Fake.Get(), () => Status(503));
        Assert.Equal(maxRetries + 1, calls);
        Assert.Equal(503, status);
    }

    // --- Budget and Retry-After ---------------------------------------------------------------------------------

    [Fact]
    public async Task No_retry_when_the_backoff_would_exceed_the_budget()
    {
        // The first backoff is at least 5 s (half of 10 s); the budget is 1 s.
        var (calls, status) = await Send(Policy(baseMs: 10_000, maxTotalMs: 1000), Fake.Get(), () => Status(503), () => Status(200));
        Assert.Equal(1, calls);
        Assert.Equal(503, status);
    }

    [Fact]
    public async Task A_Retry_After_header_past_the_budget_means_no_retry()
    {
        var policy = Policy(baseMs: 1, maxDelayMs: 600_000, maxTotalMs: 5000);
        Assert.Equal(1, (await Send(policy, Fake.Get(), () => Status(503, retryAfter: TimeSpan.FromSeconds(60)), () => Status(200))).Calls);
        Assert.Equal(1, (await Send(policy, Fake.Post(), () => Status(429, retryAfter: TimeSpan.FromSeconds(60)), () => Status(200))).Calls);
        // The same answers without Retry-After are retried with the short backoff.
        Assert.Equal(2, (await Send(policy, Fake.Get(), () => Status(503), () => Status(200))).Calls);
    }

    [Fact]
    public async Task A_Retry_After_header_of_zero_is_retried_at_once()
    {
        // A base delay of 10 s would exceed the 1 s budget: only the header's 0 s makes the retry possible.
        var policy = Policy(baseMs: 10_000, maxTotalMs: 1000);
        var (calls, status) = await Send(policy, Fake.Post(), () => Status(429, retryAfter: TimeSpan.Zero), () => Status(200));
        Assert.Equal(2, calls);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task A_Retry_After_header_longer_than_MaxDelay_is_capped()
    {
        var policy = Policy(maxRetries: 2, baseMs: 1, maxDelayMs: 2, maxTotalMs: 60_000);
        var (calls, _) = await Send(policy, Fake.Get(), () => Status(503, retryAfter: TimeSpan.FromHours(1)));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_Retry_After_date_is_honoured()
    {
        var policy = Policy(baseMs: 10_000, maxTotalMs: 5000);
        Assert.Equal(1, (await Send(policy, Fake.Post(), () => Status(429, retryAt: DateTimeOffset.UtcNow.AddHours(1)), () => Status(200))).Calls);
        Assert.Equal(2, (await Send(policy, Fake.Post(), () => Status(429, retryAt: DateTimeOffset.UtcNow.AddHours(-1)), () => Status(200))).Calls);
    }

    [Theory]
    [InlineData("60", 1)]  // seconds, past the 5 s budget
    [InlineData("0", 2)]
    [InlineData("\"0\"", 2)]
    public async Task Zoho_details_retry_after_in_seconds_is_honoured(string value, int expectedCalls)
    {
        var policy = Policy(baseMs: 10_000, maxTotalMs: 5000);
        string body = "{\"code\":\"TOO_MANY_REQUESTS\",\"details\":{\"retry_after\":" + value + "},\"message\":\"too many\",\"status\":\"error\"}";
        Assert.Equal(expectedCalls, (await Send(policy, Fake.Post(), () => Status(429, body), () => Status(200))).Calls);
    }

    [Fact]
    public async Task Zoho_details_retry_after_as_epoch_milliseconds_is_honoured()
    {
        var policy = Policy(baseMs: 10_000, maxTotalMs: 5000);
        string Body(DateTimeOffset at) => "{\"code\":\"TOO_MANY_REQUESTS\",\"details\":{\"retry_after\":" + at.ToUnixTimeMilliseconds() + "},\"status\":\"error\"}";
        Assert.Equal(1, (await Send(policy, Fake.Post(), () => Status(429, Body(DateTimeOffset.UtcNow.AddHours(1))), () => Status(200))).Calls);
        Assert.Equal(2, (await Send(policy, Fake.Post(), () => Status(429, Body(DateTimeOffset.UtcNow.AddMinutes(-1))), () => Status(200))).Calls);
    }

    [Fact]
    public async Task The_Retry_After_header_wins_over_the_body()
    {
        var policy = Policy(baseMs: 10_000, maxTotalMs: 5000);
        string body = "{\"code\":\"TOO_MANY_REQUESTS\",\"details\":{\"retry_after\":60},\"status\":\"error\"}";
        Assert.Equal(2, (await Send(policy, Fake.Post(), () => Status(429, body, retryAfter: TimeSpan.Zero), () => Status(200))).Calls);
    }

    [Fact]
    public async Task A_429_with_a_body_that_is_not_JSON_still_backs_off()
    {
        var (calls, status) = await Send(Fake.QuickRetry(), Fake.Post(), () => new HttpResponseMessage((HttpStatusCode)429) { Content = new StringContent("<html>slow down</html>") }, () => Status(200));
        Assert.Equal(2, calls);
        Assert.Equal(200, status);
    }

    // --- Broken connections and timeouts ------------------------------------------------------------------------

    private static FakeHandler Throwing(Exception ex, int failures = int.MaxValue) =>
        new((_, i, _) => i < failures ? Task.FromException<HttpResponseMessage>(ex) : Task.FromResult(Status(200)));

    [Fact]
    public async Task A_broken_connection_is_retried_for_an_idempotent_request()
    {
        var handler = Throwing(new HttpRequestException("connection reset"), failures: 2);
        var response = await Fake.Client(handler, Fake.QuickRetry()).SendAsync(Fake.Get(), CancellationToken.None);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task A_broken_connection_that_persists_fails_after_every_attempt()
    {
        var handler = Throwing(new HttpRequestException("connection reset"));
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => Fake.Client(handler, Fake.QuickRetry(2)).SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Equal(3, handler.Calls);
        Assert.Equal("ZohoCrm.ConnectionFailed", ex.Code);
        Assert.Equal(ErrorCategory.ConnectionError, ex.Category());
        Assert.Contains("after 3 attempt(s)", ex.Message);
        Assert.DoesNotContain("may or may not", ex.Message);
    }

    [Fact]
    public async Task A_broken_connection_is_not_retried_when_the_request_may_have_been_carried_out()
    {
        var handler = Throwing(new HttpRequestException("connection reset"), failures: 1);
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => Fake.Client(handler, Fake.QuickRetry()).SendAsync(Fake.Post(idempotent: false), CancellationToken.None));
        Assert.Equal(1, handler.Calls);
        Assert.Equal("ZohoCrm.ConnectionFailed", ex.Code);
        Assert.Contains("may or may not have carried it out", ex.Message);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused)]
    [InlineData(SocketError.HostNotFound)]
    public async Task A_request_that_never_reached_Zoho_is_retried_even_if_not_idempotent(SocketError error)
    {
        var handler = Throwing(new HttpRequestException("refused", new SocketException((int)error)), failures: 1);
        var response = await Fake.Client(handler, Fake.QuickRetry()).SendAsync(Fake.Post(idempotent: false), CancellationToken.None);
        Assert.Equal(2, handler.Calls);
        Assert.Equal(200, response.StatusCode);
    }

    private static FakeHandler Silent() => new(async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return Status(200); });

    [Fact]
    public async Task A_request_without_answer_times_out_and_is_retried_when_idempotent()
    {
        var handler = Silent();
        var client = Fake.Client(handler, Fake.QuickRetry(1), timeout: TimeSpan.FromMilliseconds(50));
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => client.SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Equal(2, handler.Calls);
        Assert.Equal("ZohoCrm.Timeout", ex.Code);
        Assert.Equal(ErrorCategory.OperationTimeout, ex.Category());
        Assert.Contains("no answer within", ex.Message);
    }

    [Fact]
    public async Task A_timeout_of_a_request_that_is_not_idempotent_is_not_retried()
    {
        var handler = Silent();
        var client = Fake.Client(handler, Fake.QuickRetry(3), timeout: TimeSpan.FromMilliseconds(50));
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => client.SendAsync(Fake.Post(idempotent: false), CancellationToken.None));
        Assert.Equal(1, handler.Calls);
        Assert.Equal("ZohoCrm.Timeout", ex.Code);
        Assert.Contains("may or may not", ex.Message);
    }

    [Fact]
    public async Task Cancelling_stops_at_once_without_retrying()
    {
        var started = new TaskCompletionSource();
        var handler = new FakeHandler(async (_, _, ct) => { started.TrySetResult(); await Task.Delay(Timeout.Infinite, ct); return Status(200); });
        using var cts = new CancellationTokenSource();
        var send = Fake.Client(handler, Fake.QuickRetry(5)).SendAsync(Fake.Get(), cts.Token);
        await started.Task;
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task Cancelling_during_a_backoff_stops_it()
    {
        using var cts = new CancellationTokenSource();
        // One backoff of 30-60 s; cancelled as soon as the first answer is in.
        var client = Fake.Client(new FakeHandler((_, i) => { if (i == 0) cts.CancelAfter(10); return Status(503); }), Policy(baseMs: 60_000, maxTotalMs: 600_000));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(Fake.Get(), cts.Token));
    }
}
