using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>The body of a Zoho call, read once by <see cref="RequestLogMiddleware"/>, with its log entry.</summary>
internal sealed class ZohoRequestFeature(byte[] bodyBytes, string body, RequestEntry entry)
{
    public byte[] BodyBytes { get; } = bodyBytes;

    /// <summary>The body as UTF-8 text; for uploads "&lt;multipart N bytes&gt;".</summary>
    public string Body { get; } = body;

    public RequestEntry Entry { get; } = entry;
}

internal static class ZohoRequestExtensions
{
    public static ZohoRequestFeature Zoho(this HttpContext ctx) => ctx.Features.Get<ZohoRequestFeature>()
        ?? throw new InvalidOperationException("RequestLogMiddleware has not run.");
}

/// <summary>
/// Records every Zoho and token endpoint call (matched or not) in the request log before faults and routing apply;
/// the answer's status is filled in by <see cref="FaultMiddleware"/>.
/// </summary>
internal sealed class RequestLogMiddleware(RequestDelegate next, EmulatorState state)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var time = DateTimeOffset.UtcNow;
        byte[] bodyBytes;
        using (var ms = new MemoryStream())
        {
            await ctx.Request.Body.CopyToAsync(ms, ctx.RequestAborted).ConfigureAwait(false);
            bodyBytes = ms.ToArray();
        }
        // Uploads (ZIPs up to 25 MB) are logged by size only.
        var body = ctx.GetEndpoint()?.Metadata.GetMetadata<ZohoEndpointMetadata>() is { LogBodySize: true }
            ? $"<multipart {bodyBytes.Length} bytes>"
            : Encoding.UTF8.GetString(bodyBytes);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in ctx.Request.Headers)
        {
            headers[k] = v.ToString();
        }
        var path = ctx.Request.Path.Value ?? "/";
        var entry = state.RequestLog.Begin(time, ctx.Request.Method, path, ctx.Request.QueryString.Value ?? "", headers, body);
        ctx.Features.Set(new ZohoRequestFeature(bodyBytes, body, entry));
        await next(ctx).ConfigureAwait(false);
    }
}
