using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>
/// <c>GET /crm/{v}/{Module}?ids=1,2&amp;fields=a,b</c>: records read back (zoho-api.md §5), over the same records the
/// mass updates and bulk writes change. <c>fields</c> is required (v8); up to 100 ids and 50 fields a call; without
/// <c>ids</c>, a page of the module's records (<c>page</c>, <c>per_page</c> up to 200). Unknown ids are left out;
/// no record at all is 204 with no body, as Zoho answers.
/// </summary>
internal static class RecordsEndpoint
{
    public const int MaxIds = 100;
    public const int MaxFields = 50;
    public const int MaxPerPage = 200;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"crm/{{v:{ZohoRouting.VersionConstraint}}}/{{module}}", ["GET"], Handle);

    private static Reply Handle(HttpContext ctx, EmulatorState state, string module)
    {
        if (!state.Modules.ContainsKey(module))
        {
            return new Reply(400, Zoho.InvalidModule());
        }
        var query = ctx.Request.Query;
        var fields = Split(query["fields"]);
        if (fields.Length == 0)
        {
            return new Reply(400, Zoho.RequiredParamMissing("fields"));
        }
        if (fields.Length > MaxFields)
        {
            return new Reply(400, Json.Error("LIMIT_EXCEEDED", $"fields can have at most {MaxFields} values", new JsonObject { ["param"] = "fields", ["limit"] = MaxFields }));
        }

        IReadOnlyList<IReadOnlyDictionary<string, object?>> records;
        bool more = false;
        int page = 1, perPage = MaxPerPage;
        if (query.ContainsKey("ids"))
        {
            var ids = Split(query["ids"]);
            if (ids.Length > MaxIds)
            {
                return new Reply(400, Json.Error("LIMIT_EXCEEDED", $"ids can have at most {MaxIds} values", new JsonObject { ["param"] = "ids", ["limit"] = MaxIds }));
            }
            if (ids.Any(id => id.Length == 0 || !id.All(char.IsAsciiDigit)))
            {
                return new Reply(400, Json.Error("INVALID_DATA", "the id given seems to be invalid", new JsonObject { ["param"] = "ids" }));
            }
            records = ids.Select(id => state.GetRecord(module, id)).Where(r => r is not null).Select(r => r!).ToList();
            perPage = ids.Length;
        }
        else
        {
            if (!TryInt(query["page"], 1, out page) || !TryInt(query["per_page"], MaxPerPage, out perPage) || page < 1 || perPage < 1 || perPage > MaxPerPage)
            {
                return new Reply(400, Json.Error("INVALID_DATA", "page or per_page is invalid"));
            }
            var all = state.GetRecords(module);
            records = all.Skip((page - 1) * perPage).Take(perPage).ToList();
            more = all.Count > page * perPage;
        }
        if (records.Count == 0)
        {
            return new Reply(204, null);
        }
        var data = new JsonArray(records.Select(r => (JsonNode?)Pick(r, fields)).ToArray());
        return new Reply(200, new JsonObject
        {
            ["data"] = data,
            ["info"] = new JsonObject { ["per_page"] = perPage, ["count"] = records.Count, ["page"] = page, ["more_records"] = more },
        });
    }

    /// <summary>The record's id and the fields asked for (a field the module does not have is left out).</summary>
    private static JsonObject Pick(IReadOnlyDictionary<string, object?> record, string[] fields)
    {
        var o = new JsonObject { ["id"] = Json.ToNode(record["id"]) };
        foreach (var f in fields)
        {
            if (f != "id" && record.TryGetValue(f, out var value))
            {
                o[f] = Json.ToNode(value);
            }
        }
        return o;
    }

    private static string[] Split(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(',').Select(s => s.Trim()).ToArray();

    private static bool TryInt(string? value, int fallback, out int result)
    {
        if (string.IsNullOrEmpty(value)) { result = fallback; return true; }
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out result);
    }
}
