using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>The answers the bulk write endpoints share, and reading JSON values the way Zoho does.</summary>
internal static class BulkWriteAnswers
{
    /// <summary>Zoho's bulk API envelope, keys in the seeds' order: status, code, message, details.</summary>
    public static JsonObject Error(string code, string message, JsonObject? details = null) => new()
    {
        ["status"] = "error",
        ["code"] = code,
        ["message"] = message,
        ["details"] = details ?? new JsonObject(),
    };

    public static Reply Bad(string code, string message, JsonObject? details = null) => new(400, Error(code, message, details));

    public static Reply InvalidData() => Bad("INVALID_DATA", "Invalid data");

    /// <summary>INVALID_DATA naming the offending key in <c>details.api_name</c>.</summary>
    public static Reply InvalidData(string apiName) => Bad("INVALID_DATA", "Invalid data", new JsonObject { ["api_name"] = apiName });

    public static Reply MissingKey(string key) => Bad("MISSING_REQUIRED_KEY", $"required key {key} is not found in request body.");

    public static Reply FileNotSupported() => Bad("FILE_NOT_SUPPORTED", "File not supported for bulk write");

    /// <summary>RESOURCE_NOT_FOUND (unknown job or result) with the given status.</summary>
    public static Reply NotFound(int status) => new(status, Error("RESOURCE_NOT_FOUND", "The requested resource doesn't exist."));

    /// <summary>A JSON string or number as text; null otherwise.</summary>
    public static string? Str(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            _ => null,
        }
        : null;
}
