using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ZohoCrm.Emulator;

/// <summary>
/// The bulk write endpoints: <c>POST /crm/{v}/upload</c>, <c>POST /crm/bulk/{v}/write</c>,
/// <c>GET /crm/bulk/{v}/write/{job_id}</c> and the result download <c>GET /{v}/crm/{zgid}/bulk-write/{job}/{job}.zip</c>.
/// </summary>
internal static class BulkWriteEndpoint
{
    public const int MaxColumns = 200;
    public const int MaxRows = 25_000;

    private static readonly string[] Operations = ["insert", "update", "upsert"];

    /// <summary>Zoho's bulk API envelope, keys in the seeds' order: status, code, message, details.</summary>
    private static JsonObject Error(string code, string message, JsonObject? details = null) => new()
    {
        ["status"] = "error",
        ["code"] = code,
        ["message"] = message,
        ["details"] = details ?? new JsonObject(),
    };

    private static Reply Bad(string code, string message, JsonObject? details = null) => new(400, Error(code, message, details));

    private static Reply InvalidData() => Bad("INVALID_DATA", "Invalid data");

    private static Reply MissingKey(string key) => Bad("MISSING_REQUIRED_KEY", $"required key {key} is not found in request body.");

    private static Reply FileNotSupported() => Bad("FILE_NOT_SUPPORTED", "File not supported for bulk write");

    // ---------------------------------------------------------------- upload

    public static Reply Upload(EmulatorState state, ZohoRequest req)
    {
        var headers = req.Context.Request.Headers;
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
        if (req.BodyBytes.LongLength > max + 1024 * 1024)
        {
            return TooLarge(max); // far beyond the limit: no need to read the parts
        }
        var file = ReadFilePart(req);
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

        var stored = state.StoreUpload(file);
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
    private static byte[]? ReadFilePart(ZohoRequest req)
    {
        if (!MediaTypeHeaderValue.TryParse(req.Context.Request.ContentType, out var mediaType)
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
            var reader = new MultipartReader(boundary, new MemoryStream(req.BodyBytes, writable: false));
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

    // ---------------------------------------------------------------- create

    public static Reply Create(EmulatorState state, string body)
    {
        // a. JSON and operation
        JsonObject root;
        try
        {
            if (JsonNode.Parse(body) is not JsonObject o)
            {
                return InvalidData();
            }
            root = o;
        }
        catch (JsonException)
        {
            return InvalidData();
        }
        var operation = Str(root["operation"])?.ToLowerInvariant();
        if (operation is null || !Operations.Contains(operation))
        {
            return InvalidData();
        }
        var ignoreEmpty = false;
        if (root["ignore_empty"] is { } ie)
        {
            if (ie.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Bad("INVALID_DATA", "Invalid data", new JsonObject { ["api_name"] = "ignore_empty" });
            }
            ignoreEmpty = ie.GetValue<bool>();
        }
        Encoding? encoding = null;
        if (Str(root["character_encoding"]) is { Length: > 0 } encodingName)
        {
            encoding = FindEncoding(encodingName);
            if (encoding is null)
            {
                return Bad("INVALID_DATA", "Invalid data", new JsonObject { ["api_name"] = "character_encoding" });
            }
        }

        // b. callback
        string? callbackUrl = null;
        string? callbackMethod = null;
        if (root["callback"] is { } cb)
        {
            callbackUrl = (cb as JsonObject)?["url"] is { } u ? Str(u) ?? "" : "";
            if (!IsAcceptableCallbackUrl(callbackUrl))
            {
                return Bad("INVALID_CALLBACK_URL", $"Invalid URL '{callbackUrl}' for callback.", new JsonObject { ["reason"] = "possible ssrf attempt" });
            }
            callbackMethod = Str(cb["method"]) ?? "post";
            if (!callbackMethod.Equals("post", StringComparison.OrdinalIgnoreCase))
            {
                return Bad("INVALID_CALLBACK_METHOD", $"Invalid method '{callbackMethod}' for callback.", new JsonObject { ["api_name"] = "method" });
            }
            callbackMethod = "post";
        }

        // c. resource, module, file_id
        if (root["resource"] is not JsonArray resources || resources.Count == 0 || resources[0] is not JsonObject resource)
        {
            return MissingKey("module");
        }
        var moduleName = resource["module"] switch
        {
            JsonObject m => Str(m["api_name"]),
            JsonValue v => Str(v),
            _ => null,
        };
        if (string.IsNullOrEmpty(moduleName))
        {
            return MissingKey("module");
        }
        var fileId = Str(resource["file_id"]);
        if (string.IsNullOrEmpty(fileId))
        {
            return MissingKey("file_id");
        }
        var module = state.Modules.Values.FirstOrDefault(m => m.Schema.ApiName.Equals(moduleName, StringComparison.OrdinalIgnoreCase));
        if (module is null)
        {
            return Bad("MODULE_NOT_AVAILABLE", "the module is not available for bulk write", new JsonObject { ["api_name"] = moduleName });
        }
        var schema = module.Schema;

        // d. field_mappings
        var mappings = new List<(JsonObject Json, string ApiName, int? Index)>();
        var hasMappings = resource["field_mappings"] is JsonArray { Count: > 0 };
        if (hasMappings)
        {
            foreach (var node in (JsonArray)resource["field_mappings"]!)
            {
                if (node is not JsonObject m)
                {
                    return InvalidData();
                }
                var apiName = Str(m["api_name"]);
                if (string.IsNullOrEmpty(apiName))
                {
                    return MissingKey("api_name");
                }
                if (apiName != "id" && schema.Field(apiName) is null)
                {
                    return Bad("INVALID_FIELD_NAME", $"invalid mapping. invalid api_name {apiName}.");
                }
                int? index = null;
                if (m["index"] is { } idx)
                {
                    if (!int.TryParse(Str(idx), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
                    {
                        return Bad("INVALID_DATA", "Invalid data", new JsonObject { ["api_name"] = "index" });
                    }
                    index = i;
                }
                else if (m["default_value"] is null)
                {
                    return MissingKey("index");
                }
                mappings.Add((m, apiName, index));
            }
        }

        // e. find_by
        var findBy = Str(resource["find_by"]);
        if (string.IsNullOrEmpty(findBy))
        {
            findBy = null;
            if (operation != "insert")
            {
                return Bad("MANDATORY_NOT_FOUND", "Required key find_by is not available", new JsonObject { ["api_name"] = "find_by" });
            }
        }
        else if (findBy != "id" && schema.Field(findBy) is not { Unique: true })
        {
            return Bad("INVALID_DATA", "the find_by field must be unique", new JsonObject { ["api_name"] = "find_by" });
        }

        // f. the file
        if (state.FindUpload(fileId) is not { } upload)
        {
            return Bad("INVALID_FILE_ID", "the file id given seems to be invalid", new JsonObject { ["api_name"] = "file_id" });
        }
        if (upload.Used)
        {
            return FileNotSupported();
        }
        var csv = InspectCsv(upload.Bytes, encoding);
        if (csv is null)
        {
            return FileNotSupported();
        }
        var (entryName, delimiter, header, rowCount) = csv.Value;

        // g. CSV limits
        if (header.Length > MaxColumns)
        {
            return Bad("HEADER_LIMIT_EXCEEDED", "the number of columns exceeds the limit", new JsonObject { ["limit"] = MaxColumns });
        }
        foreach (var (_, _, index) in mappings)
        {
            if (index is { } i && (i < 0 || i >= header.Length))
            {
                return Bad("COLUMN_INDEX_NOT_FOUND", "the column index given is not found in the file", new JsonObject { ["index"] = i });
            }
        }
        if (rowCount > MaxRows)
        {
            return Bad("LIMIT_EXCEEDED", "the number of rows exceeds the limit", new JsonObject { ["limit"] = MaxRows });
        }

        // columns: by index when field_mappings are given, else by header name
        var columns = new List<BulkColumn>();
        var fieldMappings = new JsonArray();
        if (hasMappings)
        {
            foreach (var (json, apiName, index) in mappings)
            {
                var defaultValue = json["default_value"] switch
                {
                    JsonObject d => Str(d["value"]),
                    JsonValue v => Str(v),
                    _ => null,
                };
                columns.Add(new BulkColumn
                {
                    ApiName = apiName,
                    Field = apiName == "id" ? null : schema.Field(apiName),
                    Index = index ?? -1,
                    Format = Str(json["format"]),
                    Default = defaultValue,
                });
                fieldMappings.Add(new JsonObject
                {
                    ["api_name"] = apiName,
                    ["index"] = index,
                    ["format"] = Str(json["format"]),
                    ["find_by"] = Str(json["find_by"]),
                    ["module"] = json["module"]?.DeepClone(),
                    ["default_value"] = json["default_value"]?.DeepClone(),
                });
            }
        }
        else
        {
            for (var i = 0; i < header.Length; i++)
            {
                var apiName = HeaderField(schema, header[i]);
                if (apiName is null)
                {
                    continue; // not a field of the module: ignored
                }
                columns.Add(new BulkColumn { ApiName = apiName, Field = apiName == "id" ? null : schema.Field(apiName), Index = i });
                fieldMappings.Add(new JsonObject
                {
                    ["api_name"] = apiName,
                    ["index"] = i,
                    ["format"] = null,
                    ["find_by"] = null,
                    ["module"] = null,
                    ["default_value"] = null,
                });
            }
        }

        // h. mandatory fields mapped (insert / upsert)
        if (operation != "update")
        {
            var mapped = columns.Select(c => c.ApiName).ToHashSet(StringComparer.Ordinal);
            var missing = schema.Fields
                .Where(f => (f.Mandatory || (state.Options.LeadsOwnerMandatory && schema.ApiName == "Leads" && f.ApiName == "Owner"))
                    && !mapped.Contains(f.ApiName))
                .Select(f => f.ApiName)
                .ToArray();
            if (missing.Length > 0)
            {
                return Bad("MANDATORY_FIELDS_NOT_MAPPED", $"All mandatory fields are not mapped for the layout [{string.Join(",", missing)}]");
            }
        }

        var resultColumns = columns.Where(c => c.Index >= 0).Select(c => c.Index).Distinct().Order().Take(3).ToArray();
        var job = new BulkWriteJob
        {
            Id = state.NextBulkJobId(),
            Module = module,
            Operation = operation,
            FileId = fileId,
            FileBytes = upload.Bytes,
            CsvEntry = entryName,
            Delimiter = delimiter,
            Encoding = encoding,
            TotalCount = rowCount,
            Columns = columns,
            FieldMappings = fieldMappings,
            ResultColumns = resultColumns,
            ResultHeader = resultColumns.Select(i => header[i]).ToArray(),
            FindBy = findBy,
            FindColumn = findBy is null ? null : columns.LastOrDefault(c => c.ApiName == findBy),
            IgnoreEmpty = ignoreEmpty,
            CallbackUrl = callbackUrl,
            CallbackMethod = callbackMethod,
            CreatedTime = Zoho.Now(),
        };
        if (!state.StartBulkJob(job))
        {
            return FileNotSupported();
        }

        return new Reply(201, new JsonObject
        {
            ["status"] = "success",
            ["code"] = "SUCCESS",
            ["message"] = "success",
            ["details"] = new JsonObject
            {
                ["id"] = job.Id,
                ["created_by"] = new JsonObject { ["id"] = EmulatorState.BulkUserId, ["name"] = Zoho.UserName },
            },
        });
    }

    /// <summary>character_encoding: any name .NET knows (code pages included); null if unknown.</summary>
    private static Encoding? FindEncoding(string name)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        try
        {
            var e = Encoding.GetEncoding(name);
            return e.CodePage == Encoding.UTF8.CodePage ? new UTF8Encoding(false) : e;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A header cell's field: the api name itself, "id", or "Lookup.id" for a lookup field.</summary>
    private static string? HeaderField(ModuleSchema schema, string header)
    {
        if (header == "id" || schema.Field(header) is not null)
        {
            return header;
        }
        var dot = header.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && schema.Field(header[..dot]) is { Type: FieldType.Lookup } f ? f.ApiName : null;
    }

    /// <summary>
    /// The ZIP's only CSV: entry name, delimiter, header and number of data rows (counting stops past the limit);
    /// null when the ZIP does not hold exactly one CSV with a header.
    /// </summary>
    private static (string Entry, char Delimiter, string[] Header, int Rows)? InspectCsv(byte[] bytes, Encoding? encoding)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            var csvs = zip.Entries
                .Where(e => e.FullName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                    && !e.FullName.EndsWith('/')
                    && !e.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal))
                .ToArray();
            if (csvs.Length != 1)
            {
                return null;
            }
            char delimiter;
            using (var s = csvs[0].Open())
            {
                delimiter = CsvReader.SniffDelimiter(s, encoding);
            }
            using var reader = CsvReader.Open(csvs[0].Open(), delimiter, encoding);
            if (reader.ReadRow() is not { } header)
            {
                return null;
            }
            var rows = reader.Skip(MaxRows + 1);
            return (csvs[0].FullName, delimiter, header, rows);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Absolute http(s) with a path after the host (the seed refuses "http://requestbin.fullcontact.com"), and not a
    /// private-range IPv4 literal. Loopback is accepted so tests can receive callbacks (Zoho would refuse it).
    /// </summary>
    internal static bool IsAcceptableCallbackUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }
        var afterScheme = url.IndexOf("://", StringComparison.Ordinal);
        if (afterScheme < 0 || url.IndexOf('/', afterScheme + 3) < 0)
        {
            return false;
        }
        if (uri.HostNameType == UriHostNameType.IPv4 && IPAddress.TryParse(uri.Host, out var ip)
            && ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            if (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254))
            {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- details and download

    public static Reply Get(EmulatorState state, string jobId) =>
        state.BulkJobDetails(jobId) is { } details
            ? new Reply(200, details)
            : Bad("RESOURCE_NOT_FOUND", "The requested resource doesn't exist.");

    /// <summary>segments: {v}, crm, {zgid}, bulk-write, {job_id}, {job_id}.zip</summary>
    public static Reply Download(EmulatorState state, string[] segments)
    {
        var (zgid, jobId, fileName) = (segments[2], segments[4], segments[5]);
        if ((zgid != EmulatorState.Zgid && zgid != state.Options.OrgId) || fileName != jobId + ".zip")
        {
            return new Reply(404, Zoho.InvalidUrlPattern());
        }
        return state.BulkJobResult(jobId) is { } zip
            ? new Reply(200, null, zip, fileName)
            : new Reply(404, Error("RESOURCE_NOT_FOUND", "The requested resource doesn't exist."));
    }

    /// <summary>A JSON string or number as text; null otherwise.</summary>
    private static string? Str(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            _ => null,
        }
        : null;
}
