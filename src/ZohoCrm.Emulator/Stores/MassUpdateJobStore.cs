using System.Globalization;

namespace ZohoCrm.Emulator;

/// <summary>A validated field assignment of a mass update.</summary>
internal readonly record struct FieldValue(FieldSchema Field, object? Value);

/// <summary>The state of a scheduled mass update job.</summary>
public sealed record MassUpdateJobSnapshot(
    string JobId,
    string Module,
    string CustomViewId,
    string Status,
    int TotalCount,
    int UpdatedCount,
    int NotUpdatedCount,
    int FailedCount);

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

internal enum RecordUpdateResult { InvalidId, NotApproved, Locked, Updated }

/// <summary>What a mass update did to one record; the times and users as stored once it was updated.</summary>
internal sealed record RecordUpdate(string Id, RecordUpdateResult Result, string? LockedAction = null,
    string? ModifiedTime = null, object? ModifiedBy = null, object? CreatedTime = null, object? CreatedBy = null);

internal enum ScheduleResult { InvalidCvid, InvalidTerritory, AlreadyScheduled, NoRecords, Scheduled }

/// <summary>
/// Mass update: the by-ids update and the scheduled (custom view) jobs, and how one record is updated. Records and
/// jobs change under the record store's gate.
/// </summary>
internal sealed class MassUpdateJobStore(RecordStore records)
{
    private readonly Dictionary<string, MassUpdateJob> _jobs = new(StringComparer.Ordinal);
    private long _lastJobId = 738964000002152103;

    /// <summary>Null if unknown.</summary>
    public MassUpdateJobSnapshot? Snapshot(string jobId)
    {
        lock (records.Gate)
        {
            return _jobs.TryGetValue(jobId, out var j) ? j.Snapshot() : null;
        }
    }

    /// <summary>ids mode: one outcome per id, in order. Called with validated values.</summary>
    public IReadOnlyList<RecordUpdate> UpdateByIds(ModuleData module, IReadOnlyList<FieldValue> values, bool overWrite, IReadOnlyList<string> ids)
    {
        var outcomes = new List<RecordUpdate>(ids.Count);
        lock (records.Gate)
        {
            var now = Zoho.Now();
            foreach (var id in ids)
            {
                outcomes.Add(module.ById.TryGetValue(id, out var record)
                    ? Apply(module.Schema, record, values, overWrite, now)
                    : new RecordUpdate(id, RecordUpdateResult.InvalidId));
            }
        }
        return outcomes;
    }

    /// <summary>
    /// cvid mode: the view must be the module's, the territory (when <paramref name="hasTerritory"/>) a known one, no
    /// job of the view may be running and the view must select records; then a SCHEDULED job is added.
    /// </summary>
    public (ScheduleResult Result, MassUpdateJob? Job) Schedule(ModuleData module, string cvid, bool hasTerritory, string? territoryId,
        IReadOnlyList<FieldValue> values, bool overWrite)
    {
        if (!records.CustomViews.TryGetValue(cvid, out var view) || view.Module != module.Schema.ApiName)
        {
            return (ScheduleResult.InvalidCvid, null);
        }
        Territory? territory = null;
        if (hasTerritory && (territoryId is null || !records.Territories.TryGetValue(territoryId, out territory)))
        {
            return (ScheduleResult.InvalidTerritory, null);
        }

        lock (records.Gate)
        {
            if (_jobs.Values.Any(j => j.CustomViewId == cvid && j.IsActive))
            {
                return (ScheduleResult.AlreadyScheduled, null);
            }
            var selected = module.Records
                .Where(r => view.Filter(r.Fields) && (territory is null || territory.Filter(r.Fields)))
                .Select(r => r.Id)
                .ToArray();
            if (selected.Length == 0)
            {
                return (ScheduleResult.NoRecords, null);
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
            return (ScheduleResult.Scheduled, job);
        }
    }

    /// <summary>The job's state, if it is a job of <paramref name="module"/>; null otherwise.</summary>
    public MassUpdateJobSnapshot? Snapshot(string jobId, string module)
    {
        lock (records.Gate)
        {
            return _jobs.TryGetValue(jobId, out var j) && j.Module == module ? j.Snapshot() : null;
        }
    }

    /// <summary>Updates one record like Zoho's mass update (caller holds the gate).</summary>
    public static RecordUpdate Apply(ModuleSchema schema, Record record, IReadOnlyList<FieldValue> values, bool overWrite, string now)
    {
        if (!record.Approved)
        {
            return new RecordUpdate(record.Id, RecordUpdateResult.NotApproved);
        }
        if (record.LockedAction is { } action)
        {
            return new RecordUpdate(record.Id, RecordUpdateResult.Locked, action);
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
        schema.FillReadOnly(record.Fields);
        record.Fields["Modified_Time"] = now;
        record.Fields["Modified_By"] = Zoho.User();
        return new RecordUpdate(record.Id, RecordUpdateResult.Updated, null, now,
            Record.CopyValue(record.Fields["Modified_By"]),
            Record.CopyValue(record.Fields.GetValueOrDefault("Created_Time")),
            Record.CopyValue(record.Fields.GetValueOrDefault("Created_By")));
    }
}
