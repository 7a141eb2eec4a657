using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>Parses and validates <c>/crm/{v}/{Module}/actions/mass_update</c> requests.</summary>
internal static class MassUpdateEndpoint
{
    private const int MaxIds = ZohoLimits.MassUpdateIdsPerCall;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"crm/{{v:{ZohoRouting.VersionConstraint}}}/{{module}}/actions/mass_update", ["GET", "POST"], Handle);

    private static Reply Handle(HttpContext ctx, EmulatorState state, string module)
    {
        if (!state.Modules.TryGetValue(module, out var data))
        {
            return new Reply(400, Zoho.InvalidModule());
        }
        var (status, body) = HttpMethods.IsGet(ctx.Request.Method)
            ? Get(state, data, ctx.Request.Query)
            : Post(state, data, ctx.Zoho().Body);
        return new Reply(status, body);
    }

    public static (int Status, JsonNode Body) Post(EmulatorState state, ModuleData module, string body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return (400, Json.Error("INVALID_DATA", "invalid json body"));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (400, Json.Error("INVALID_DATA", "invalid json body"));
            }

            // data: one object of field api name -> value
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array
                || data.GetArrayLength() == 0 || data[0].ValueKind != JsonValueKind.Object
                || !data[0].EnumerateObject().Any())
            {
                return DataError(Json.Error("INVALID_DATA", "No field found"));
            }
            var props = data[0].EnumerateObject().ToArray();
            if (props.Length > module.Schema.MassUpdateFieldLimit)
            {
                return DataError(Json.Error("INVALID_DATA", "Max field limit exceeded"));
            }
            foreach (var p in props)
            {
                var f = module.Schema.Field(p.Name);
                if (f is null || !f.MassUpdatable)
                {
                    return DataError(Json.Error("INVALID_DATA", "This field cannot be updated in the Mass Update",
                        new JsonObject { ["api_name"] = p.Name }));
                }
            }
            var values = new List<FieldValue>();
            foreach (var p in props)
            {
                var f = module.Schema.Field(p.Name)!;
                if (!TryConvert(f, p.Value, out var value))
                {
                    return DataError(Json.Error("INVALID_DATA", "invalid data",
                        new JsonObject { ["api_name"] = f.ApiName, ["expected_data_type"] = f.ExpectedDataType }));
                }
                values.Add(new FieldValue(f, value));
            }

            var overWrite = false;
            if (root.TryGetProperty("over_write", out var ow) && ow.ValueKind != JsonValueKind.Null)
            {
                if (ow.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return DataError(Json.Error("INVALID_DATA", "invalid data",
                        new JsonObject { ["api_name"] = "over_write", ["expected_data_type"] = "boolean" }));
                }
                overWrite = ow.GetBoolean();
            }

            var hasIds = root.TryGetProperty("ids", out var ids) && ids.ValueKind != JsonValueKind.Null
                && !(ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() == 0);
            var hasCvid = root.TryGetProperty("cvid", out var cvid) && cvid.ValueKind != JsonValueKind.Null;
            if (!hasIds && !hasCvid)
            {
                return DataError(Json.Error("MANDATORY_NOT_FOUND", "required field not found"));
            }
            if (hasIds && hasCvid)
            {
                return (400, Json.Error("INVALID_DATA", "either cvid or ids should be given"));
            }

            if (hasIds)
            {
                if (ids.ValueKind != JsonValueKind.Array)
                {
                    return DataError(Json.Error("INVALID_DATA", "invalid data",
                        new JsonObject { ["api_name"] = "ids", ["expected_data_type"] = "jsonarray" }));
                }
                if (ids.GetArrayLength() > MaxIds)
                {
                    return (400, Json.Error("LIMIT_EXCEEDED", "the given ids exceeds the limit",
                        new JsonObject { ["api_name"] = "ids", ["limit"] = MaxIds }));
                }
                var idList = ids.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray();
                return (200, Json.Data(state.MassUpdateByIds(module, values, overWrite, idList)));
            }

            var cvidText = cvid.ValueKind switch
            {
                JsonValueKind.String => cvid.GetString()!,
                JsonValueKind.Number => cvid.GetRawText(),
                _ => "",
            };
            JsonElement? territory = root.TryGetProperty("territory", out var terr) ? terr : null;
            return state.ScheduleMassUpdate(module, cvidText, territory, values, overWrite);
        }
    }

    public static (int Status, JsonNode Body) Get(EmulatorState state, ModuleData module, IQueryCollection query)
    {
        var jobId = query["job_id"].ToString();
        if (string.IsNullOrEmpty(jobId))
        {
            return (400, Json.Error("MANDATORY_NOT_FOUND", "required param not found", new JsonObject { ["api_name"] = "job_id" }));
        }
        var job = state.FindJob(jobId);
        if (job is null || job.Module != module.Schema.ApiName)
        {
            return (404, Json.Error("NOT_FOUND", "the job id given seems to be invalid"));
        }
        var s = state.SnapshotJob(job);
        return (200, Json.Data(new JsonObject
        {
            ["Status"] = s.Status,
            ["Total_Count"] = s.TotalCount,
            ["Updated_Count"] = s.UpdatedCount,
            ["Not_Updated_Count"] = s.NotUpdatedCount,
            ["Failed_Count"] = s.FailedCount,
        }));
    }

    private static (int, JsonNode) DataError(JsonObject error) => (200, Json.Data(error));

    /// <summary>Checks a JSON value against the field's type and turns it into the stored form.</summary>
    internal static bool TryConvert(FieldSchema field, JsonElement v, out object? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (field.Mandatory)
            {
                return false;
            }
            value = field.Type == FieldType.MultiSelectPicklist ? Array.Empty<string>() : null;
            return true;
        }
        switch (field.Type)
        {
            case FieldType.Text or FieldType.Email or FieldType.Phone or FieldType.TextArea or FieldType.Picklist:
                if (v.ValueKind != JsonValueKind.String || (field.Mandatory && string.IsNullOrWhiteSpace(v.GetString())))
                {
                    return false;
                }
                value = v.GetString();
                return true;
            case FieldType.Integer:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var l))
                {
                    return false;
                }
                value = l;
                return true;
            case FieldType.Double or FieldType.Currency:
                if (v.ValueKind != JsonValueKind.Number)
                {
                    return false;
                }
                value = v.GetDouble();
                return true;
            case FieldType.Boolean:
                if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return false;
                }
                value = v.GetBoolean();
                return true;
            case FieldType.MultiSelectPicklist:
                if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                {
                    return false;
                }
                value = v.EnumerateArray().Select(e => e.GetString()!).ToArray();
                return true;
            case FieldType.Date:
                if (v.ValueKind != JsonValueKind.String
                    || !DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    return false;
                }
                value = v.GetString();
                return true;
            case FieldType.DateTime:
                if (v.ValueKind != JsonValueKind.String || v.GetString() is not { } s || !s.Contains('T')
                    || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                {
                    return false;
                }
                value = s;
                return true;
            case FieldType.Lookup:
                if (v.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in v.EnumerateObject())
                {
                    dict[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
                }
                value = dict;
                return true;
            default:
                return false;
        }
    }
}
