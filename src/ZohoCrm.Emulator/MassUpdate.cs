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
