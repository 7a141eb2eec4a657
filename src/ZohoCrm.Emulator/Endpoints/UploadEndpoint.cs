using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using static ZohoCrm.Emulator.BulkWriteAnswers;

namespace ZohoCrm.Emulator;

/// <summary>
/// <c>POST /crm/{v}/upload</c> (Zoho's upload host): a bulk write file, multipart part "file", a ZIP of at most
/// <see cref="EmulatorOptions.MaxUploadBytes"/>; headers <c>feature: bulk-write</c> and <c>X-CRM-ORG</c>.
/// </summary>
internal static class UploadEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"crm/{{v:{ZohoRouting.VersionConstraint}}}/upload", ["POST"], Upload, logBodySize: true);

    private static Reply Upload(HttpContext ctx, EmulatorState state)
    {
        var body = ctx.Zoho().BodyBytes;
        var headers = ctx.Request.Headers;
        var org = headers["X-CRM-ORG"].ToString().Trim();
        if (!string.Equals(headers["feature"].ToString().Trim(), "bulk-write", StringComparison.OrdinalIgnoreCase)
            || (org != EmulatorState.Zgid && org != state.Options.OrgId))
        {
            // The upload host answers this with HTTP 200 and its own shape.
            return new Reply(200, new JsonObject
            {
                ["ERROR_CODE"] = 401,
                ["ERROR_MESSAGE"] = "Invalid request",
                ["x-error"] = "check if headers [feature, X-CRM-ORG] are present and valid",
            });
        }

        var max = state.Options.MaxUploadBytes;
        if (body.LongLength > max + 1024 * 1024)
        {
            return TooLarge(max); // far beyond the limit: no need to read the parts
        }
        var file = ReadFilePart(ctx.Request.ContentType, body);
        if (file is null)
        {
            return Bad("MANDATORY_NOT_FOUND", "required param file is not found", new JsonObject { ["param_name"] = "file" });
        }
        if (file.LongLength > max)
        {
            return TooLarge(max);
        }
        if (!IsZip(file))
        {
            return new Reply(200, Error("INVALID_FILE_FORMAT", "only zip format is supported"));
        }

        var stored = state.Uploads.Add(file);
        return new Reply(200, new JsonObject
        {
            ["status"] = "success",
            ["code"] = "FILE_UPLOAD_SUCCESS",
            ["message"] = "file uploaded.",
            ["details"] = new JsonObject { ["file_id"] = stored.Id, ["created_time"] = stored.CreatedTime },
        });
    }

    private static Reply TooLarge(long max)
    {
        var mb = max / (1024.0 * 1024.0);
        var text = mb == Math.Floor(mb) ? $"{mb.ToString("0", CultureInfo.InvariantCulture)} MB" : $"{max.ToString(CultureInfo.InvariantCulture)} bytes";
        return new Reply(413, Error("FILE_TOO_LARGE", "The file size exceeds the limit", new JsonObject { ["max_size"] = text }));
    }

    /// <summary>The bytes of the multipart part named "file"; null when there is none.</summary>
    private static byte[]? ReadFilePart(string? contentType, byte[] body)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return null;
        }
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false));
            while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd)
                    && HeaderUtilities.RemoveQuotes(cd.Name).Equals("file", StringComparison.Ordinal))
                {
                    using var ms = new MemoryStream();
                    section.Body.CopyTo(ms);
                    return ms.ToArray();
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // malformed multipart body: no file
        }
        return null;
    }

    private static bool IsZip(byte[] bytes)
    {
        if (bytes.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K' || !(bytes[2] is 3 or 5 && bytes[3] is 4 or 6))
        {
            return false;
        }
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            _ = zip.Entries.Count;
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            return false;
        }
    }
}
