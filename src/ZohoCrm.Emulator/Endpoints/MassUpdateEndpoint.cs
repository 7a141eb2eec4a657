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

    /// <summary>Checks the body in Zoho's order: JSON, data, over_write, ids or cvid; then updates or schedules.</summary>
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
            if (ReadValues(root, module, out var values) is { } badData)
            {
                return badData;
            }
            if (ReadOverWrite(root, out var overWrite) is { } badOverWrite)
            {
                return badOverWrite;
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
                return ByIds(state, module, ids, values, overWrite);
            }

            var cvidText = cvid.ValueKind switch
            {
                JsonValueKind.String => cvid.GetString()!,
                JsonValueKind.Number => cvid.GetRawText(),
                _ => "",
            };
            var hasTerritory = root.TryGetProperty("territory", out var territory) && territory.ValueKind != JsonValueKind.Null;
            return Schedule(state, module, cvidText, hasTerritory ? TerritoryId(territory) : null, hasTerritory, values, overWrite);
        }
    }

    /// <summary>data: one object of field api name -> value, within the module's field limit, of fields mass update may set.</summary>
    private static (int, JsonNode)? ReadValues(JsonElement root, ModuleData module, out List<FieldValue> values)
    {
        values = new List<FieldValue>();
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
        foreach (var p in props)
        {
            var f = module.Schema.Field(p.Name)!;
            if (!MassUpdateValues.TryConvert(f, p.Value, out var value))
            {
                return DataError(Json.Error("INVALID_DATA", "invalid data",
                    new JsonObject { ["api_name"] = f.ApiName, ["expected_data_type"] = f.ExpectedDataType }));
            }
            values.Add(new FieldValue(f, value));
        }
        return null;
    }

    /// <summary>over_write: a boolean if given; false when absent or null.</summary>
    private static (int, JsonNode)? ReadOverWrite(JsonElement root, out bool overWrite)
    {
        overWrite = false;
        if (!root.TryGetProperty("over_write", out var ow) || ow.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (ow.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return DataError(Json.Error("INVALID_DATA", "invalid data",
                new JsonObject { ["api_name"] = "over_write", ["expected_data_type"] = "boolean" }));
        }
        overWrite = ow.GetBoolean();
        return null;
    }

    /// <summary>ids mode: a JSON array of at most <see cref="MaxIds"/> ids, answered record by record.</summary>
    private static (int, JsonNode) ByIds(EmulatorState state, ModuleData module, JsonElement ids, IReadOnlyList<FieldValue> values, bool overWrite)
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
        var updates = state.MassUpdates.UpdateByIds(module, values, overWrite, idList);
        return (200, Json.Data(new JsonArray(updates.Select(RecordAnswer).ToArray())));
    }

    /// <summary>territory.id as text; null when there is none.</summary>
    private static string? TerritoryId(JsonElement territory) =>
        territory.ValueKind == JsonValueKind.Object && territory.TryGetProperty("id", out var id)
            ? id.ValueKind switch
            {
                JsonValueKind.String => id.GetString(),
                JsonValueKind.Number => id.GetRawText(),
                _ => null,
            }
            : null;

    private static (int, JsonNode) Schedule(EmulatorState state, ModuleData module, string cvid, string? territoryId, bool hasTerritory,
        IReadOnlyList<FieldValue> values, bool overWrite)
    {
        var (result, job) = state.MassUpdates.Schedule(module, cvid, hasTerritory, territoryId, values, overWrite);
        if (job is not null)
        {
            state.StartMassUpdate(job, module);
        }
        return result switch
        {
            ScheduleResult.InvalidCvid => DataError(Json.Error("INVALID_DATA", "the cvid given seems to be invalid", new JsonObject { ["api_name"] = "cvid" })),
            ScheduleResult.InvalidTerritory => DataError(Json.Error("INVALID_DATA", "the territory given seems to be invalid", new JsonObject { ["api_name"] = "territory" })),
            ScheduleResult.AlreadyScheduled => (state.Options.AlreadyScheduledStatus, Json.Error("ALREADY_SCHEDULED", "Already an Mass Action scheduler is runing for the given cvid", new JsonObject { ["api_name"] = "cvid" })),
            ScheduleResult.NoRecords => DataError(Json.Error("NO_RECORDS_FOUND", "no records found in the custom view")),
            _ => (200, Json.Data(Json.Success("SUCCESS", "mass update scheduled successfully", new JsonObject { ["job_id"] = job!.Id }))),
        };
    }

    /// <summary>One record's element of the ids-mode answer.</summary>
    private static JsonNode RecordAnswer(RecordUpdate u) => u.Result switch
    {
        RecordUpdateResult.InvalidId => Json.Error("INVALID_DATA", "the id given seems to be invalid", new JsonObject { ["id"] = u.Id }),
        RecordUpdateResult.NotApproved => Json.Error("NOT_APPROVED", "cannot update record that is not approved yet", new JsonObject { ["id"] = u.Id }),
        // The seed really says "not approved yet" for a locked record.
        RecordUpdateResult.Locked => Json.Error("RECORD_LOCKED", "cannot update record that is not approved yet",
            new JsonObject { ["action"] = u.LockedAction, ["id"] = u.Id }),
        _ => Json.Success("SUCCESS", "record updated", new JsonObject
        {
            ["Modified_Time"] = u.ModifiedTime,
            ["Modified_By"] = Json.ToNode(u.ModifiedBy),
            ["Created_Time"] = Json.ToNode(u.CreatedTime),
            ["id"] = u.Id,
            ["Created_By"] = Json.ToNode(u.CreatedBy),
        }),
    };

    public static (int Status, JsonNode Body) Get(EmulatorState state, ModuleData module, IQueryCollection query)
    {
        var jobId = query["job_id"].ToString();
        if (string.IsNullOrEmpty(jobId))
        {
            return (400, Json.Error("MANDATORY_NOT_FOUND", "required param not found", new JsonObject { ["api_name"] = "job_id" }));
        }
        if (state.MassUpdates.Snapshot(jobId, module.Schema.ApiName) is not { } s)
        {
            return (404, Json.Error("NOT_FOUND", "the job id given seems to be invalid"));
        }
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
}
