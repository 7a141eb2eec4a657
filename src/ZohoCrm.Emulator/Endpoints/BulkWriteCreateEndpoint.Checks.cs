using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static ZohoCrm.Emulator.BulkWriteAnswers;

namespace ZohoCrm.Emulator;

/// <summary>The checks of a create-job body, in Zoho's order; each answers the first error it finds, or null.</summary>
internal static partial class BulkWriteCreateEndpoint
{
    /// <summary>a. JSON, operation, ignore_empty, character_encoding.</summary>
    private static Reply? ReadOptions(Request req, string body)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject o)
            {
                return InvalidData();
            }
            req.Root = o;
        }
        catch (JsonException)
        {
            return InvalidData();
        }
        var operation = Str(req.Root["operation"])?.ToLowerInvariant();
        if (operation is null || !Operations.Contains(operation))
        {
            return InvalidData();
        }
        req.Operation = operation;
        if (req.Root["ignore_empty"] is { } ie)
        {
            if (ie.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return InvalidData("ignore_empty");
            }
            req.IgnoreEmpty = ie.GetValue<bool>();
        }
        if (Str(req.Root["character_encoding"]) is { Length: > 0 } encodingName)
        {
            req.Encoding = BulkWriteInput.FindEncoding(encodingName);
            req.EncodingName = encodingName;
            if (req.Encoding is null)
            {
                return InvalidData("character_encoding");
            }
        }
        return null;
    }

    /// <summary>b. callback: an acceptable URL, method post.</summary>
    private static Reply? ReadCallback(Request req)
    {
        if (req.Root["callback"] is not { } cb)
        {
            return null;
        }
        var url = (cb as JsonObject)?["url"] is { } u ? Str(u) ?? "" : "";
        if (!BulkWriteInput.IsAcceptableCallbackUrl(url))
        {
            return Bad("INVALID_CALLBACK_URL", $"Invalid URL '{url}' for callback.", new JsonObject { ["reason"] = "possible ssrf attempt" });
        }
        var method = Str(cb["method"]) ?? "post";
        if (!method.Equals("post", StringComparison.OrdinalIgnoreCase))
        {
            return Bad("INVALID_CALLBACK_METHOD", $"Invalid method '{method}' for callback.", new JsonObject { ["api_name"] = "method" });
        }
        req.CallbackUrl = url;
        req.CallbackMethod = "post";
        return null;
    }

    /// <summary>c. resource[0]: module (by name or {api_name}) and file_id.</summary>
    private static Reply? ReadResource(Request req, EmulatorState state)
    {
        if (req.Root["resource"] is not JsonArray resources || resources.Count == 0 || resources[0] is not JsonObject resource)
        {
            return MissingKey("module");
        }
        req.Resource = resource;
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
        req.FileId = fileId;
        var module = state.Modules.Values.FirstOrDefault(m => m.Schema.ApiName.Equals(moduleName, StringComparison.OrdinalIgnoreCase));
        if (module is null)
        {
            return Bad("MODULE_NOT_AVAILABLE", "the module is not available for bulk write", new JsonObject { ["api_name"] = moduleName });
        }
        req.Module = module;
        return null;
    }

    /// <summary>d. field_mappings: known api names, an index (or a default value).</summary>
    private static Reply? ReadMappings(Request req)
    {
        req.HasMappings = req.Resource["field_mappings"] is JsonArray { Count: > 0 };
        if (!req.HasMappings)
        {
            return null;
        }
        foreach (var node in (JsonArray)req.Resource["field_mappings"]!)
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
            if (apiName != "id" && req.Schema.Field(apiName) is null)
            {
                return Bad("INVALID_FIELD_NAME", $"invalid mapping. invalid api_name {apiName}.");
            }
            int? index = null;
            if (m["index"] is { } idx)
            {
                if (!int.TryParse(Str(idx), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
                {
                    return InvalidData("index");
                }
                index = i;
            }
            else if (m["default_value"] is null)
            {
                return MissingKey("index");
            }
            req.Mappings.Add((m, apiName, index));
        }
        return null;
    }

    /// <summary>e. find_by: mandatory but for insert; "id" or a unique field.</summary>
    private static Reply? ReadFindBy(Request req)
    {
        var findBy = Str(req.Resource["find_by"]);
        if (string.IsNullOrEmpty(findBy))
        {
            return req.Operation != "insert"
                ? Bad("MANDATORY_NOT_FOUND", "Required key find_by is not available", new JsonObject { ["api_name"] = "find_by" })
                : null;
        }
        if (findBy != "id" && req.Schema.Field(findBy) is not { Unique: true })
        {
            return Bad("INVALID_DATA", "the find_by field must be unique", new JsonObject { ["api_name"] = "find_by" });
        }
        req.FindBy = findBy;
        return null;
    }

    /// <summary>f. the file: uploaded, not used by another job, a ZIP with one CSV with a header.</summary>
    private static Reply? ReadFile(Request req, EmulatorState state)
    {
        if (state.Uploads.Find(req.FileId) is not { } upload)
        {
            return Bad("INVALID_FILE_ID", "the file id given seems to be invalid", new JsonObject { ["api_name"] = "file_id" });
        }
        if (upload.Used || BulkWriteInput.InspectCsv(upload.Bytes, req.Encoding) is not { } csv)
        {
            return FileNotSupported();
        }
        req.FileBytes = upload.Bytes;
        (req.CsvEntry, req.Delimiter, req.Header, req.RowCount) = csv;
        return null;
    }

    /// <summary>g. columns, mapped column indexes, rows.</summary>
    private static Reply? CheckLimits(Request req)
    {
        const int maxColumns = ZohoLimits.BulkWriteColumnsPerFile;
        const int maxRows = ZohoLimits.BulkWriteRowsPerFile;
        if (req.Header.Length > maxColumns)
        {
            return Bad("HEADER_LIMIT_EXCEEDED", "the number of columns exceeds the limit", new JsonObject { ["limit"] = maxColumns });
        }
        foreach (var (_, _, index) in req.Mappings)
        {
            if (index is { } i && (i < 0 || i >= req.Header.Length))
            {
                return Bad("COLUMN_INDEX_NOT_FOUND", "the column index given is not found in the file", new JsonObject { ["index"] = i });
            }
        }
        return req.RowCount > maxRows
            ? Bad("LIMIT_EXCEEDED", "the number of rows exceeds the limit", new JsonObject { ["limit"] = maxRows })
            : null;
    }

    /// <summary>The columns: by index when field_mappings are given, else by header name (cells of no field ignored).</summary>
    private static void MapColumns(Request req)
    {
        if (req.HasMappings)
        {
            foreach (var (json, apiName, index) in req.Mappings)
            {
                var format = Str(json["format"]);
                var defaultValue = json["default_value"] switch
                {
                    JsonObject d => Str(d["value"]),
                    JsonValue v => Str(v),
                    _ => null,
                };
                AddColumn(req, apiName, index, format, defaultValue, Str(json["find_by"]), json["module"]?.DeepClone(), json["default_value"]?.DeepClone());
            }
            return;
        }
        for (var i = 0; i < req.Header.Length; i++)
        {
            if (BulkWriteInput.HeaderField(req.Schema, req.Header[i]) is { } apiName)
            {
                AddColumn(req, apiName, i, null, null, null, null, null);
            }
        }
    }

    private static void AddColumn(Request req, string apiName, int? index, string? format, string? defaultValue,
        string? findBy, JsonNode? module, JsonNode? defaultJson)
    {
        req.Columns.Add(new BulkColumn
        {
            ApiName = apiName,
            Field = apiName == "id" ? null : req.Schema.Field(apiName),
            Index = index ?? -1,
            Format = format,
            Default = defaultValue,
        });
        req.FieldMappings.Add(new JsonObject
        {
            ["api_name"] = apiName,
            ["index"] = index,
            ["format"] = format,
            ["find_by"] = findBy,
            ["module"] = module,
            ["default_value"] = defaultJson,
        });
    }

    /// <summary>h. insert and upsert must map every mandatory field.</summary>
    private static Reply? CheckMandatoryMapped(Request req, EmulatorState state)
    {
        if (req.Operation == "update")
        {
            return null;
        }
        var mapped = req.Columns.Select(c => c.ApiName).ToHashSet(StringComparer.Ordinal);
        var missing = req.Schema.Fields
            .Where(f => BulkRowWriter.IsMandatory(state.Options, req.Schema, f) && !mapped.Contains(f.ApiName))
            .Select(f => f.ApiName)
            .ToArray();
        return missing.Length > 0
            ? Bad("MANDATORY_FIELDS_NOT_MAPPED", $"All mandatory fields are not mapped for the layout [{string.Join(",", missing)}]")
            : null;
    }
}
