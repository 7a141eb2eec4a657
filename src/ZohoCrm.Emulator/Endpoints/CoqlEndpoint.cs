using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ZohoCrm.Emulator;

/// <summary>
/// <c>POST /crm/{v}/coql</c> <c>{"select_query": "select id, a, b from Module where Field in ('x', 'y') limit 200"}</c>:
/// the one COQL shape the module sends (records by the values of a unique field, up to 50 values), also with
/// <c>where Field = 'x'</c>. Anything else is Zoho's 400 SYNTAX_ERROR. No match is 204 with no body.
/// </summary>
internal static partial class CoqlEndpoint
{
    public const int MaxValues = 50;
    public const int MaxLimit = 2000;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"crm/{{v:{ZohoRouting.VersionConstraint}}}/coql", ["POST"], Handle);

    [GeneratedRegex(@"\A\s*select\s+(?<fields>[A-Za-z0-9_]+(\s*,\s*[A-Za-z0-9_]+)*)\s+from\s+(?<module>[A-Za-z0-9_]+)\s+where\s+(?<field>[A-Za-z0-9_]+)\s*(?:in\s*\((?<values>.*)\)|=\s*(?<one>'(?:[^'\\]|\\.)*'))\s*(?:limit\s+(?<limit>[0-9]+))?\s*\z", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Query();

    private static Reply Handle(HttpContext ctx, EmulatorState state)
    {
        string? query;
        try
        {
            using var doc = JsonDocument.Parse(ctx.Zoho().Body);
            query = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("select_query", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString() : null;
        }
        catch (JsonException)
        {
            return new Reply(400, Json.Error("INVALID_DATA", "invalid json body"));
        }
        var m = query is null ? null : Query().Match(query);
        if (m is null || !m.Success)
        {
            return SyntaxError("the query is not one the emulator understands");
        }
        var module = m.Groups["module"].Value;
        if (!state.Modules.ContainsKey(module))
        {
            return new Reply(400, Json.Error("INVALID_QUERY", "invalid module", new JsonObject { ["clause"] = "from" }));
        }
        var values = m.Groups["one"].Success ? [Unquote(m.Groups["one"].Value)] : SplitValues(m.Groups["values"].Value);
        if (values is null)
        {
            return SyntaxError("the in (...) list is not a list of quoted values");
        }
        if (values.Count > MaxValues)
        {
            return new Reply(400, Json.Error("LIMIT_EXCEEDED", $"in clause can have at most {MaxValues} values", new JsonObject { ["limit"] = MaxValues }));
        }
        int limit = m.Groups["limit"].Success && int.TryParse(m.Groups["limit"].Value, out var l) ? Math.Min(l, MaxLimit) : 200;
        var fields = m.Groups["fields"].Value.Split(',').Select(f => f.Trim()).ToArray();
        var field = m.Groups["field"].Value;
        var wanted = new HashSet<string>(values, StringComparer.OrdinalIgnoreCase);
        var found = state.GetRecords(module)
            .Where(r => r.TryGetValue(field, out var v) && v is not null && wanted.Contains(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!))
            .Take(limit)
            .Select(r => (JsonNode?)Pick(r, fields))
            .ToArray();
        if (found.Length == 0)
        {
            return new Reply(204, null);
        }
        return new Reply(200, new JsonObject
        {
            ["data"] = new JsonArray(found),
            ["info"] = new JsonObject { ["count"] = found.Length, ["more_records"] = false },
        });
    }

    private static Reply SyntaxError(string why) =>
        new(400, Json.Error("SYNTAX_ERROR", "error occured while parsing the query", new JsonObject { ["reason"] = why }));

    private static JsonObject Pick(IReadOnlyDictionary<string, object?> record, string[] fields)
    {
        var o = new JsonObject();
        foreach (var f in fields)
        {
            o[f] = record.TryGetValue(f, out var v) ? Json.ToNode(v) : null;
        }
        return o;
    }

    /// <summary>'a', 'b''s' ... as values (a quote inside escaped as \'), or null if the list is not that.</summary>
    private static List<string>? SplitValues(string list)
    {
        var values = new List<string>();
        int i = 0;
        while (true)
        {
            while (i < list.Length && char.IsWhiteSpace(list[i])) i++;
            if (i >= list.Length || list[i] != '\'') return null;
            var sb = new StringBuilder();
            i++;
            while (i < list.Length && list[i] != '\'')
            {
                if (list[i] == '\\' && i + 1 < list.Length) i++;
                sb.Append(list[i++]);
            }
            if (i >= list.Length) return null;
            i++;
            values.Add(sb.ToString());
            while (i < list.Length && char.IsWhiteSpace(list[i])) i++;
            if (i == list.Length) return values;
            if (list[i] != ',') return null;
            i++;
        }
    }

    private static string Unquote(string quoted) => SplitValues(quoted)![0];
}
