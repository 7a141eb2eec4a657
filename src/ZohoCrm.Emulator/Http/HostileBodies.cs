using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>
/// The fault kinds that attack the reader of an answer rather than its meaning: a JSON answer or a download that never
/// ends (chunked, written as fast as the caller reads until it goes away), and a real answer trickled one byte at a
/// time. Each is logged when its body ends, with the bytes it sent, so a test can tell how much the caller read.
/// </summary>
internal static class HostileBodies
{
    /// <summary>An endless body stops here anyway (64 GiB), so a caller that never gives up cannot keep the emulator busy forever.</summary>
    public const long EndlessStopsAt = 64L << 30;

    private const int ChunkBytes = 64 * 1024;

    public static bool Handles(FaultKind kind) => kind is FaultKind.EndlessJsonBody or FaultKind.EndlessDownload or FaultKind.TrickleBody;

    /// <summary>HTTP 200 with an endless body (EndlessJsonBody, EndlessDownload); returns the status sent.</summary>
    public static async Task<int> EndlessAsync(HttpContext ctx, FaultRule rule, FaultInjector faults)
    {
        var json = rule.Kind == FaultKind.EndlessJsonBody;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = json ? Json.ContentType : Reply.ZipContentType; // no Content-Length: chunked
        var head = json ? Encoding.UTF8.GetBytes("{\"data\":[") : [0x50, 0x4B, 0x03, 0x04];
        var chunk = json ? JsonChunk() : new byte[ChunkBytes];
        long sent = 0;
        try
        {
            if (!await WriteAsync(ctx, head).ConfigureAwait(false))
            {
                return Recorded(200);
            }
            sent += head.Length;
            while (sent < EndlessStopsAt && await WriteAsync(ctx, chunk).ConfigureAwait(false))
            {
                sent += chunk.Length;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The caller went away: what it was meant to do.
        }
        return Recorded(200);

        int Recorded(int status)
        {
            Record(ctx, rule, faults, sent);
            return status;
        }
    }

    /// <summary>
    /// Writes and flushes through the response's pipe, which waits while the caller does not read; false once the
    /// connection is gone (a write to a closed connection completes at once without sending, so it must not count).
    /// </summary>
    private static async Task<bool> WriteAsync(HttpContext ctx, byte[] bytes)
    {
        var flushed = await ctx.Response.BodyWriter.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
        return !flushed.IsCompleted && !flushed.IsCanceled && !ctx.RequestAborted.IsCancellationRequested;
    }

    /// <summary>The processed answer <paramref name="body"/> with its status, headers and Content-Length, one byte per rule.Delay (default 1 s).</summary>
    public static async Task TrickleAsync(HttpContext ctx, byte[] body, FaultRule rule, FaultInjector faults)
    {
        var pause = rule.Delay > TimeSpan.Zero ? rule.Delay : TimeSpan.FromSeconds(1);
        ctx.Response.ContentLength = body.Length;
        long sent = 0;
        try
        {
            await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
            foreach (var b in body)
            {
                await Task.Delay(pause, ctx.RequestAborted).ConfigureAwait(false);
                if (!await WriteAsync(ctx, [b]).ConfigureAwait(false))
                {
                    break;
                }
                sent++;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The caller gave up (its timeout).
        }
        Record(ctx, rule, faults, sent);
    }

    private static void Record(HttpContext ctx, FaultRule rule, FaultInjector faults, long sent) =>
        faults.Record(rule.Kind, ctx.Request.Method, ctx.Request.Path.Value ?? "/", sent);

    /// <summary>About 64 KiB of records, each followed by a comma, so the array goes on and stays valid JSON so far.</summary>
    private static byte[] JsonChunk()
    {
        var record = Encoding.UTF8.GetBytes("{\"id\":\"738964000002131001\",\"Last_Name\":\"Endless\",\"Company\":\"Hostile Server\"},");
        var chunk = new byte[ChunkBytes / record.Length * record.Length];
        for (var i = 0; i < chunk.Length; i += record.Length)
        {
            record.CopyTo(chunk, i);
        }
        return chunk;
    }
}
