namespace ZohoCrm.Emulator;

/// <summary>
/// Injected faults (Faults.cs), decided after the request is logged and before the method and token checks. Kinds
/// that replace processing answer at once; the others run the endpoint into a buffer and then alter or drop its
/// answer (the ZIP-altering kinds, DamagedZip and ResultRow*, only apply, and are only logged, when the answer is a ZIP
/// they can alter); the hostile bodies (endless, trickling) are written by HostileBodies.cs. Also turns an endpoint's
/// exception into 500 INTERNAL_ERROR, and writes the (buffered) answer with its Content-Length.
/// </summary>
internal sealed class FaultMiddleware(RequestDelegate next, EmulatorState state)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var entry = ctx.Zoho().Entry;
        var method = ctx.Request.Method;
        var path = ctx.Request.Path.Value ?? "/";
        var fault = state.Faults.Decide(method, path);
        if (fault is { AltersZip: false } f)
        {
            entry.Fault = f.Kind.ToString();
            if (f.IsHostileBody && f.ReplacesProcessing)
            {
                entry.StatusCode = await HostileBodies.EndlessAsync(ctx, f.Rule, state.Faults).ConfigureAwait(false);
                return;
            }
            if (!f.IsHostileBody)
            {
                state.Faults.Record(f.Kind, method, path); // the hostile bodies are logged when they end, with the bytes sent
            }
            if (f.ReplacesProcessing)
            {
                entry.StatusCode = await FaultResponses.ReplaceAsync(ctx, f.Rule).ConfigureAwait(false);
                return;
            }
            if (!await BeforeProcessingAsync(ctx, f).ConfigureAwait(false))
            {
                return; // the caller went away during a Slow fault
            }
        }

        var bytes = await RunBufferedAsync(ctx).ConfigureAwait(false);
        switch (fault?.Kind)
        {
            case FaultKind.DropAfterProcessing:
                ctx.Abort();
                return;
            case FaultKind.TrickleBody:
                entry.StatusCode = ctx.Response.StatusCode;
                await HostileBodies.TrickleAsync(ctx, bytes, fault.Value.Rule, state.Faults).ConfigureAwait(false);
                return;
            case FaultKind.TruncatedBody:
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case not null when fault.Value.AltersZip:
                bytes = AlterZip(ctx, fault.Value, bytes);
                break;
        }

        entry.StatusCode = ctx.Response.StatusCode;
        ctx.Response.ContentLength = bytes.Length;
        if (bytes.Length > 0)
        {
            await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The answer altered by a ZIP-altering fault, logged; unchanged (the fault's turn given back) when it does not apply.</summary>
    private byte[] AlterZip(HttpContext ctx, FiredFault fault, byte[] bytes)
    {
        var altered = ctx.Response.ContentType == Reply.ZipContentType
            ? FaultResponses.AlterZip(bytes, fault.Rule, state.Options.FaultSeed)
            : null;
        if (altered is null)
        {
            state.Faults.Refund(fault); // not a ZIP answer, or not a result it can alter: no fault applied
            return bytes;
        }
        ctx.Zoho().Entry.Fault = fault.Kind.ToString();
        state.Faults.Record(fault.Kind, ctx.Request.Method, ctx.Request.Path.Value ?? "/");
        return altered;
    }

    /// <summary>Runs the rest of the pipeline into a buffer; an exception becomes 500 INTERNAL_ERROR.</summary>
    private async Task<byte[]> RunBufferedAsync(HttpContext ctx)
    {
        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        try
        {
            try
            {
                await next(ctx).ConfigureAwait(false);
            }
            catch (Exception)
            {
                ctx.Response.Headers.Clear();
                buffer.SetLength(0);
                await new Reply(500, Zoho.InternalError()).ExecuteAsync(ctx).ConfigureAwait(false);
            }
        }
        finally
        {
            ctx.Response.Body = original;
        }
        return buffer.ToArray();
    }

    /// <summary>The part of a "process, then ..." fault that comes first; false when the caller went away meanwhile.</summary>
    private async Task<bool> BeforeProcessingAsync(HttpContext ctx, FiredFault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.Slow:
                try
                {
                    await Task.Delay(fault.Rule.Delay, ctx.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                break;
            case FaultKind.ExpireTokens:
                state.Tokens.ExpireAll();
                break;
        }
        return true;
    }
}
