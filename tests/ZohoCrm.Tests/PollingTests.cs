using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>How -Wait follows a job (Polling.UntilAsync): stops when finished, on -Timeout, or on Ctrl+C.</summary>
public class PollingTests
{
    private sealed class TimedOut(int state) : Exception("timed out at " + state) { public int State { get; } = state; }

    [Fact]
    public async Task A_finished_job_is_polled_once_and_reported()
    {
        var reported = new List<int>();
        int polls = 0;
        int result = await Polling.UntilAsync(_ => Task.FromResult(++polls), s => true, reported.Add, null, s => new TimedOut(s), CancellationToken.None);
        Assert.Equal(1, result);
        Assert.Equal(1, polls);
        Assert.Equal(new[] { 1 }, reported);
    }

    [Fact]
    public async Task Polling_goes_on_until_the_job_is_finished_reporting_each_state()
    {
        var reported = new List<int>();
        int polls = 0;
        int result = await Polling.UntilAsync(_ => Task.FromResult(++polls), s => s == 2, reported.Add, null, s => new TimedOut(s), CancellationToken.None);
        Assert.Equal(2, result);
        Assert.Equal(new[] { 1, 2 }, reported);
    }

    [Fact]
    public async Task A_timeout_shorter_than_the_next_wait_ends_with_the_last_state()
    {
        // The first wait is 0.5 s: a 0.1 s timeout cannot be met, so it ends right after the first poll.
        var reported = new List<int>();
        int polls = 0;
        var ex = await Assert.ThrowsAsync<TimedOut>(() =>
            Polling.UntilAsync(_ => Task.FromResult(++polls), s => false, reported.Add, TimeSpan.FromMilliseconds(100), s => new TimedOut(s), CancellationToken.None));
        Assert.Equal(1, ex.State);
        Assert.Equal(1, polls);
        Assert.Equal(new[] { 1 }, reported);
    }

    [Fact]
    public async Task Cancelling_stops_the_wait()
    {
        using var cts = new CancellationTokenSource();
        int polls = 0;
        var wait = Polling.UntilAsync(_ => { polls++; cts.Cancel(); return Task.FromResult(0); }, s => false, _ => { }, null, s => new TimedOut(s), cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(1, polls);
    }

    [Fact]
    public async Task The_token_reaches_each_poll()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        await Polling.UntilAsync(ct => { seen = ct; return Task.FromResult(0); }, s => true, _ => { }, null, s => new TimedOut(s), cts.Token);
        Assert.Equal(cts.Token, seen);
    }
}
