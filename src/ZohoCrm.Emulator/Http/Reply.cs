using System.Text;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>An answer: JSON, or a file (<paramref name="File"/> set, sent as application/zip with its name).</summary>
internal sealed record Reply(int Status, JsonNode? Body, byte[]? File = null, string? FileName = null) : IResult
{
    public const string ZipContentType = "application/zip";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (File is { } file)
        {
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName}\"";
            return HttpWrite.BytesAsync(httpContext, Status, ZipContentType, file);
        }
        if (Status == StatusCodes.Status204NoContent)
        {
            httpContext.Response.StatusCode = Status; // Zoho's "no records": no body at all
            return Task.CompletedTask;
        }
        return HttpWrite.JsonAsync(httpContext, Status, Body);
    }
}

/// <summary>Writes whole answers with an explicit Content-Length, as Zoho sends them.</summary>
internal static class HttpWrite
{
    public static Task JsonAsync(HttpContext ctx, int status, JsonNode? body) =>
        BytesAsync(ctx, status, Json.ContentType, Encoding.UTF8.GetBytes(Json.Serialize(body)));

    public static async Task BytesAsync(HttpContext ctx, int status, string? contentType, byte[] bytes)
    {
        ctx.Response.StatusCode = status;
        if (contentType is not null)
        {
            ctx.Response.ContentType = contentType;
        }
        ctx.Response.ContentLength = bytes.Length;
        if (bytes.Length > 0)
        {
            await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
        }
    }
}
