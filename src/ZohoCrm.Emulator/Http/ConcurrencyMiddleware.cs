namespace ZohoCrm.Emulator;

/// <summary>
/// How many mass update calls (POST .../actions/mass_update) are being answered at once, and the most seen since the
/// last reset, injected delays (Slow faults) included: a test can assert that a client's calls really overlapped and
/// never exceeded its limit. Read and reset through GET/DELETE /__emulator/mass-update-concurrency.
/// </summary>
internal sealed class MassUpdateConcurrency
{
    private int _current;
    private int _max;
    private int _calls;

    public int Current => Volatile.Read(ref _current);
    public int Max => Volatile.Read(ref _max);
    /// <summary>Calls counted since the last reset.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public void Enter()
    {
        Interlocked.Increment(ref _calls);
        int now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen) { }
    }

    public void Leave() => Interlocked.Decrement(ref _current);

    /// <summary>The most and the count start again from the calls in flight now.</summary>
    public void Reset()
    {
        Volatile.Write(ref _max, Current);
        Volatile.Write(ref _calls, 0);
    }
}

/// <summary>Counts the mass update calls in flight (<see cref="MassUpdateConcurrency"/>), around faults and the endpoint.</summary>
internal sealed class ConcurrencyMiddleware(RequestDelegate next, EmulatorState state)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        if (!HttpMethods.IsPost(ctx.Request.Method) || !(ctx.Request.Path.Value ?? "").EndsWith("/actions/mass_update", StringComparison.Ordinal))
        {
            await next(ctx).ConfigureAwait(false);
            return;
        }
        state.MassUpdateConcurrency.Enter();
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        finally
        {
            state.MassUpdateConcurrency.Leave();
        }
    }
}
