using System.Globalization;

namespace ZohoCrm.Emulator;

/// <summary>
/// Applies the rows of a bulk write job to the records: insert, update or upsert by find_by, each row's errors in
/// Zoho's format. The caller holds the record store's gate.
/// </summary>
internal sealed class BulkRowWriter(RecordStore records, EmulatorOptions options)
{
    private const long FirstBulkRecordId = 738964000500000000;

    private long _lastBulkRecordId = FirstBulkRecordId;

    /// <summary>Applies one CSV row (caller holds the lock).</summary>
    public BulkRowResult Process(BulkWriteJob job, string[] row, string now)
    {
        var errors = new BulkRowErrors();
        Record? match = null;
        if (job.FindBy is { } findBy)
        {
            var key = job.FindColumn is { } fc ? Cell(fc, row) : "";
            if (key.Length > 0)
            {
                match = FindBulkRecord(job.Module, findBy, job.FindColumn!.Field, key);
            }
        }

        switch (job.Operation)
        {
            case "update":
                if (match is null)
                {
                    errors.Add("RESOURCE_NOT_FOUND", job.FindBy!);
                    return new BulkRowResult("skipped", "", errors.ToString());
                }
                return UpdateBulkRecord(job, match, row, now, errors);
            case "upsert":
                return match is null ? InsertBulkRecord(job, row, now, errors) : UpdateBulkRecord(job, match, row, now, errors);
            default:
                if (match is not null)
                {
                    errors.Add("DUPLICATE_DATA", job.FindBy!);
                }
                return InsertBulkRecord(job, row, now, errors);
        }
    }

    private static string Cell(BulkColumn column, string[] row)
    {
        var v = column.Index >= 0 && column.Index < row.Length ? row[column.Index] : "";
        return v.Length == 0 && column.Default is { } d ? d : v;
    }

    private bool IsMandatory(ModuleSchema module, FieldSchema field) => IsMandatory(options, module, field);

    /// <summary>Fields insert and upsert must map and rows must fill: the layout's, plus Leads' Owner when the options say so.</summary>
    public static bool IsMandatory(EmulatorOptions options, ModuleSchema module, FieldSchema field) =>
        field.Mandatory || (options.LeadsOwnerMandatory && module.ApiName == "Leads" && field.ApiName == "Owner");

    private BulkRowResult InsertBulkRecord(BulkWriteJob job, string[] row, string now, BulkRowErrors errors)
    {
        var schema = job.Module.Schema;
        var values = new Dictionary<string, object?>(job.Columns.Count, StringComparer.Ordinal);
        foreach (var column in job.Columns)
        {
            if (column.Field is not { } field)
            {
                continue; // "id" is never written
            }
            var cell = Cell(column, row);
            if (cell.Length == 0)
            {
                if (field.Type != FieldType.Lookup || field.ApiName != "Owner")
                {
                    values[field.ApiName] = null;
                }
                else
                {
                    values.Remove(field.ApiName);
                }
                continue;
            }
            if (BulkCells.TryParse(field, cell, column.Format, out var value))
            {
                values[field.ApiName] = value;
            }
            else
            {
                errors.Add("INVALID_DATA", field.ApiName);
                values.Remove(field.ApiName);
            }
        }
        foreach (var field in schema.Fields)
        {
            if (IsMandatory(schema, field) && !errors.Has("INVALID_DATA", field.ApiName)
                && (!values.TryGetValue(field.ApiName, out var v) || v is null || (v is string s && string.IsNullOrWhiteSpace(s))))
            {
                errors.Add("MANDATORY_NOT_FOUND", field.ApiName);
            }
        }
        foreach (var field in schema.Fields)
        {
            if (field.Unique && values.TryGetValue(field.ApiName, out var v) && v is not null
                && records.FindUnique(job.Module, field.ApiName, RecordStore.IndexKey(v)) is not null)
            {
                errors.Add("DUPLICATE_DATA", field.ApiName);
            }
        }
        if (errors.Any)
        {
            return new BulkRowResult("skipped", "", errors.ToString());
        }

        var r = new Record(Interlocked.Increment(ref _lastBulkRecordId).ToString(CultureInfo.InvariantCulture));
        r.Fields.EnsureCapacity(schema.Fields.Count + 5);
        foreach (var f in schema.Fields)
        {
            r.Fields[f.ApiName] = values.TryGetValue(f.ApiName, out var v)
                ? v
                : f.Type switch
                {
                    FieldType.Boolean => false,
                    FieldType.MultiSelectPicklist => Array.Empty<string>(),
                    FieldType.Lookup when f.ApiName == "Owner" => BulkCells.RecordUser,
                    _ => null,
                };
        }
        r.Fields["Created_Time"] = now;
        r.Fields["Created_By"] = BulkCells.RecordUser;
        r.Fields["Modified_Time"] = now;
        r.Fields["Modified_By"] = BulkCells.RecordUser;
        job.Module.Add(r);
        foreach (var f in schema.Fields)
        {
            if (f.Unique && r.Fields[f.ApiName] is { } v)
            {
                records.UniqueIndex(job.Module, f.ApiName)[RecordStore.IndexKey(v)] = r;
            }
        }
        return new BulkRowResult("added", r.Id, "");
    }

    private BulkRowResult UpdateBulkRecord(BulkWriteJob job, Record record, string[] row, string now, BulkRowErrors errors)
    {
        var schema = job.Module.Schema;
        var changes = new Dictionary<string, object?>(job.Columns.Count, StringComparer.Ordinal);
        foreach (var column in job.Columns)
        {
            if (column.Field is not { } field)
            {
                continue;
            }
            var cell = Cell(column, row);
            if (cell.Length == 0)
            {
                if (job.IgnoreEmpty)
                {
                    continue;
                }
                if (IsMandatory(schema, field))
                {
                    errors.Add("MANDATORY_NOT_FOUND", field.ApiName);
                }
                changes[field.ApiName] = null;
                continue;
            }
            if (BulkCells.TryParse(field, cell, column.Format, out var value))
            {
                if (value is string s && string.IsNullOrWhiteSpace(s) && IsMandatory(schema, field))
                {
                    errors.Add("MANDATORY_NOT_FOUND", field.ApiName);
                }
                changes[field.ApiName] = value;
            }
            else
            {
                errors.Add("INVALID_DATA", field.ApiName);
            }
        }
        foreach (var (name, v) in changes)
        {
            if (v is not null && schema.Field(name) is { Unique: true }
                && records.FindUnique(job.Module, name, RecordStore.IndexKey(v)) is { } other && other != record)
            {
                errors.Add("DUPLICATE_DATA", name);
            }
        }
        if (errors.Any)
        {
            return new BulkRowResult("skipped", "", errors.ToString());
        }

        foreach (var (name, v) in changes)
        {
            if (schema.Field(name) is { Unique: true })
            {
                var index = records.UniqueIndex(job.Module, name);
                if (record.Fields.GetValueOrDefault(name) is { } old && index.TryGetValue(RecordStore.IndexKey(old), out var holder) && holder == record)
                {
                    index.Remove(RecordStore.IndexKey(old));
                }
                if (v is not null)
                {
                    index[RecordStore.IndexKey(v)] = record;
                }
            }
            record.Fields[name] = v;
        }
        record.Fields["Modified_Time"] = now;
        record.Fields["Modified_By"] = BulkCells.RecordUser;
        return new BulkRowResult("updated", record.Id, "");
    }

    /// <summary>find_by lookup: "id" or a unique field's value (caller holds the lock).</summary>
    private Record? FindBulkRecord(ModuleData module, string findBy, FieldSchema? field, string cell)
    {
        if (field is null)
        {
            return module.ById.GetValueOrDefault(cell);
        }
        if (!BulkCells.TryParse(field, cell, null, out var value) || value is null)
        {
            return null;
        }
        return records.FindUnique(module, findBy, RecordStore.IndexKey(value));
    }
}
