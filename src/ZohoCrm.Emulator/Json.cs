using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

internal static class Json
{
    public const string ContentType = "application/json;charset=utf-8";

    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    /// <summary>Zoho's error envelope, keys in Zoho's order: code, details, message, status.</summary>
    public static JsonObject Error(string code, string message, JsonObject? details = null) => new()
    {
        ["code"] = code,
        ["details"] = details ?? new JsonObject(),
        ["message"] = message,
        ["status"] = "error",
    };

    public static JsonObject Success(string code, string message, JsonObject details) => new()
    {
        ["code"] = code,
        ["details"] = details,
        ["message"] = message,
        ["status"] = "success",
    };

    /// <summary><c>{"data":[...]}</c>.</summary>
    public static JsonObject Data(params JsonNode?[] items) => new() { ["data"] = new JsonArray(items) };

    public static JsonObject Data(JsonArray items) => new() { ["data"] = items };

    /// <summary>Turns a stored record value into JSON.</summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create((long)i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        DateTimeOffset dto => JsonValue.Create(Zoho.FormatTime(dto)),
        IReadOnlyDictionary<string, object?> dict => ToObject(dict),
        IEnumerable<string> list => new JsonArray(list.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        JsonNode node => node.DeepClone(),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    public static JsonObject ToObject(IEnumerable<KeyValuePair<string, object?>> dict)
    {
        var o = new JsonObject();
        foreach (var (k, v) in dict)
        {
            o[k] = ToNode(v);
        }
        return o;
    }
}

internal static class Zoho
{
    public const string UserName = "Patricia Boyle";
    public const string UserId = "738964000000291009";

    public static string FormatTime(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    public static string Now() => FormatTime(DateTimeOffset.UtcNow);

    public static OrderedDictionary<string, object?> User(string name = UserName, string id = UserId) =>
        new() { ["name"] = name, ["id"] = id };

    // Top-level error answers shared by every endpoint.
    public static JsonObject InvalidUrlPattern() =>
        Json.Error("INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one");

    public static JsonObject InvalidRequestMethod() =>
        Json.Error("INVALID_REQUEST_METHOD", "The http request method type is not a valid one");

    public static JsonObject AuthenticationFailure() =>
        Json.Error("AUTHENTICATION_FAILURE", "Authentication failed");

    public static JsonObject InvalidToken() =>
        Json.Error("INVALID_TOKEN", "invalid oauth token");

    /// <summary>401 for a valid token without the scope the URL needs (zoho-api.md section 2).</summary>
    public static JsonObject OAuthScopeMismatch() =>
        Json.Error("OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL");

    /// <summary>400 for a required query parameter that is missing (<c>details.param</c>).</summary>
    public static JsonObject RequiredParamMissing(string param) =>
        Json.Error("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", new JsonObject { ["param"] = param });

    public static JsonObject InvalidModule() =>
        Json.Error("INVALID_MODULE", "the module name given seems to be invalid", new JsonObject { ["resource_path_index"] = 0 });

    /// <summary>
    /// 401 for a token of another data center (its accounts host issued it; this API host does not know it): a
    /// refresh at the same accounts host gives another such token. zoho-api.md section 5, "Tokens" (which gives the
    /// code, not the message: the message here is INVALID_TOKEN's).
    /// </summary>
    public static JsonObject InvalidOAuthToken() =>
        Json.Error("INVALID_OAUTHTOKEN", "invalid oauth token");

    /// <summary>
    /// The token endpoint's answer (HTTP 200) to too many refreshes, keys in Zoho's order (zoho-api.md section 5,
    /// "Tokens": the throttle answer is JSON; some pages add "status":"failure"). Zoho gives the description as
    /// "Token creation throttle limit reached..."; the rest of the sentence here is the emulator's.
    /// </summary>
    public static JsonObject AccessDenied() => new()
    {
        ["error_description"] = "Token creation throttle limit reached. Please try again after some time.",
        ["error"] = "Access Denied",
    };

    public static JsonObject InternalError() =>
        Json.Error("INTERNAL_ERROR", "Internal Server Error");
}
