using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>A validated field assignment of a mass update.</summary>
internal readonly record struct FieldValue(FieldSchema Field, object? Value);

internal sealed class MassUpdateJob
{
    public required string Id { get; init; }
    public required string Module { get; init; }
    public required string CustomViewId { get; init; }
    public required IReadOnlyList<string> RecordIds { get; init; }
    public required IReadOnlyList<FieldValue> Values { get; init; }
    public required bool OverWrite { get; init; }
    public string Status { get; set; } = "SCHEDULED";
    public int Processed { get; set; }
    public int Updated { get; set; }
    public int Failed { get; set; }

    public bool IsActive => Status is "SCHEDULED" or "RUNNING";

    public MassUpdateJobSnapshot Snapshot() =>
        new(Id, Module, CustomViewId, Status, RecordIds.Count, Updated, RecordIds.Count - Processed, Failed);
}

public sealed partial class EmulatorState
{
    private readonly Dictionary<string, MassUpdateJob> _jobs = new(StringComparer.Ordinal);
    private readonly List<Task> _jobTasks = new();
    private readonly CancellationTokenSource _shutdown = new();
    private long _lastJobId = 738964000002152103;

    /// <summary>Status, TotalCount, UpdatedCount, NotUpdatedCount, FailedCount, Module, CustomViewId; null if unknown.</summary>
    public MassUpdateJobSnapshot? GetMassUpdateJob(string jobId)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue(jobId, out var j) ? j.Snapshot() : null;
        }
    }

    /// <summary>ids mode: one answer per id, in order. Called with validated values.</summary>
    internal JsonArray MassUpdateByIds(ModuleData module, IReadOnlyList<FieldValue> values, bool overWrite, IReadOnlyList<string> ids)
    {
        var answers = new JsonArray();
        lock (_gate)
        {
            var now = Zoho.Now();
            foreach (var id in ids)
            {
                if (!module.ById.TryGetValue(id, out var record))
                {
                    answers.Add(Json.Error("INVALID_DATA", "the id given seems to be invalid", new JsonObject { ["id"] = id }));
                    continue;
                }
                answers.Add(ApplyUpdate(record, values, overWrite, now, out _));
            }
        }
        return answers;
    }

    /// <summary>cvid mode: checks the view, territory and running jobs, then schedules a job.</summary>
    internal (int Status, JsonNode Body) ScheduleMassUpdate(ModuleData module, string cvid, JsonElement? territory, IReadOnlyList<FieldValue> values, bool overWrite)
    {
        if (!CustomViews.TryGetValue(cvid, out var view) || view.Module != module.Schema.ApiName)
        {
            return (200, Json.Data(Json.Error("INVALID_DATA", "the cvid given seems to be invalid", new JsonObject { ["api_name"] = "cvid" })));
        }

        Territory? terr = null;
        if (territory is { } t && t.ValueKind != JsonValueKind.Null)
        {
            string? tid = null;
            if (t.ValueKind == JsonValueKind.Object && t.TryGetProperty("id", out var idEl))
            {
                tid = idEl.ValueKind switch
                {
                    JsonValueKind.String => idEl.GetString(),
                    JsonValueKind.Number => idEl.GetRawText(),
                    _ => null,
                };
            }
            if (tid is null || !Territories.TryGetValue(tid, out terr))
            {
                return (200, Json.Data(Json.Error("INVALID_DATA", "the territory given seems to be invalid", new JsonObject { ["api_name"] = "territory" })));
            }
        }

        lock (_gate)
        {
            if (_jobs.Values.Any(j => j.CustomViewId == cvid && j.IsActive))
            {
                return (400, Json.Error("ALREADY_SCHEDULED", "Already an Mass Action scheduler is runing for the given cvid", new JsonObject { ["api_name"] = "cvid" }));
            }

            var selected = module.Records
                .Where(r => view.Filter(r.Fields) && (terr is null || terr.Filter(r.Fields)))
                .Select(r => r.Id)
                .ToArray();
            if (selected.Length == 0)
            {
                return (200, Json.Data(Json.Error("NO_RECORDS_FOUND", "no records found in the custom view")));
            }

            var job = new MassUpdateJob
            {
                Id = Interlocked.Increment(ref _lastJobId).ToString(CultureInfo.InvariantCulture),
                Module = module.Schema.ApiName,
                CustomViewId = cvid,
                RecordIds = selected,
                Values = values,
                OverWrite = overWrite,
            };
            _jobs.Add(job.Id, job);
            _jobTasks.RemoveAll(t => t.IsCompleted);
            _jobTasks.Add(Task.Run(() => RunJobAsync(job, module, _shutdown.Token)));

            return (200, Json.Data(Json.Success("SUCCESS", "mass update scheduled successfully", new JsonObject { ["job_id"] = job.Id })));
        }
    }

    internal MassUpdateJob? FindJob(string jobId)
    {
        lock (_gate)
        {
            return _jobs.GetValueOrDefault(jobId);
        }
    }

    internal MassUpdateJobSnapshot SnapshotJob(MassUpdateJob job)
    {
        lock (_gate)
        {
            return job.Snapshot();
        }
    }

    private async Task RunJobAsync(MassUpdateJob job, ModuleData module, CancellationToken ct)
    {
        try
        {
            await Task.Delay(Options.JobStepDelay, ct).ConfigureAwait(false);
            lock (_gate)
            {
                job.Status = "RUNNING";
            }
            var perStep = Math.Max(1, Options.JobRecordsPerStep);
            while (true)
            {
                await Task.Delay(Options.JobStepDelay, ct).ConfigureAwait(false);
                lock (_gate)
                {
                    var now = Zoho.Now();
                    var end = Math.Min(job.RecordIds.Count, job.Processed + perStep);
                    for (var i = job.Processed; i < end; i++)
                    {
                        if (module.ById.TryGetValue(job.RecordIds[i], out var record))
                        {
                            ApplyUpdate(record, job.Values, job.OverWrite, now, out var ok);
                            if (ok)
                            {
                                job.Updated++;
                            }
                            else
                            {
                                job.Failed++;
                            }
                        }
                        else
                        {
                            job.Failed++;
                        }
                    }
                    job.Processed = end;
                    if (job.Processed >= job.RecordIds.Count)
                    {
                        job.Status = "COMPLETED";
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // host disposed
        }
        catch (Exception)
        {
            lock (_gate)
            {
                job.Status = "FAILED";
            }
        }
    }

    /// <summary>Stops background jobs (host disposal).</summary>
    internal async Task ShutdownAsync()
    {
        Task[] tasks;
        lock (_gate)
        {
            if (!_shutdown.IsCancellationRequested)
            {
                _shutdown.Cancel();
            }
            tasks = _jobTasks.ToArray();
        }
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            // jobs swallow their own errors; nothing to report at shutdown
        }
    }

    /// <summary>Updates one record like Zoho's mass update (caller holds the lock) and returns its data[] answer.</summary>
    private static JsonObject ApplyUpdate(Record record, IReadOnlyList<FieldValue> values, bool overWrite, string now, out bool ok)
    {
        ok = false;
        if (!record.Approved)
        {
            return Json.Error("NOT_APPROVED", "cannot update record that is not approved yet", new JsonObject { ["id"] = record.Id });
        }
        if (record.LockedAction is { } action)
        {
            // The seed really says "not approved yet" for a locked record.
            return Json.Error("RECORD_LOCKED", "cannot update record that is not approved yet",
                new JsonObject { ["action"] = action, ["id"] = record.Id });
        }

        foreach (var (field, value) in values)
        {
            if (field.Type == FieldType.MultiSelectPicklist && !overWrite && value is string[] add)
            {
                var existing = record.Fields.TryGetValue(field.ApiName, out var cur) && cur is string[] arr ? arr : [];
                record.Fields[field.ApiName] = existing.Concat(add.Where(v => !existing.Contains(v, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)).ToArray();
            }
            else
            {
                record.Fields[field.ApiName] = Record.CopyValue(value);
            }
        }
        record.Fields["Modified_Time"] = now;
        record.Fields["Modified_By"] = Zoho.User();
        ok = true;

        return Json.Success("SUCCESS", "record updated", new JsonObject
        {
            ["Modified_Time"] = now,
            ["Modified_By"] = Json.ToNode(record.Fields["Modified_By"]),
            ["Created_Time"] = Json.ToNode(record.Fields.GetValueOrDefault("Created_Time")),
            ["id"] = record.Id,
            ["Created_By"] = Json.ToNode(record.Fields.GetValueOrDefault("Created_By")),
        });
    }
}

/// <summary>Parses and validates <c>/crm/{v}/{Module}/actions/mass_update</c> requests.</summary>
internal static class MassUpdateEndpoint
{
    private const int MaxIds = 500;

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
