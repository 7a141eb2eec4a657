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
        var values = InsertValues(job, row, errors);
        CheckInsert(job.Module, values, errors);
        if (errors.Any)
        {
            return new BulkRowResult("skipped", "", errors.ToString());
        }
        return new BulkRowResult("added", CreateRecord(job.Module, values, now).Id, "");
    }

    /// <summary>The row's values by field; an empty Owner is left out (it defaults), an empty cell is null.</summary>
    private static Dictionary<string, object?> InsertValues(BulkWriteJob job, string[] row, BulkRowErrors errors)
    {
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
        return values;
    }

    /// <summary>Mandatory fields filled, unique fields not taken.</summary>
    private void CheckInsert(ModuleData module, Dictionary<string, object?> values, BulkRowErrors errors)
    {
        var schema = module.Schema;
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
                && records.FindUnique(module, field.ApiName, RecordStore.IndexKey(v)) is not null)
            {
                errors.Add("DUPLICATE_DATA", field.ApiName);
            }
        }
    }

    /// <summary>A new record of the values, the other fields at their defaults, indexed by its unique fields.</summary>
    private Record CreateRecord(ModuleData module, Dictionary<string, object?> values, string now)
    {
        var schema = module.Schema;
        var r = new Record(Interlocked.Increment(ref _lastBulkRecordId).ToString(CultureInfo.InvariantCulture));
        r.Fields.EnsureCapacity(schema.Fields.Count + 5);
        foreach (var f in schema.Fields)
        {
            r.Fields[f.ApiName] = values.TryGetValue(f.ApiName, out var v)
                ? v
                : f.DefaultValue(() => BulkCells.RecordUser);
        }
        schema.FillReadOnly(r.Fields);
        r.Fields["Created_Time"] = now;
        r.Fields["Created_By"] = BulkCells.RecordUser;
        r.Fields["Modified_Time"] = now;
        r.Fields["Modified_By"] = BulkCells.RecordUser;
        module.Add(r);
        foreach (var f in schema.Fields)
        {
            if (f.Unique && r.Fields[f.ApiName] is { } v)
            {
                records.UniqueIndex(module, f.ApiName)[RecordStore.IndexKey(v)] = r;
            }
        }
        return r;
    }

    private BulkRowResult UpdateBulkRecord(BulkWriteJob job, Record record, string[] row, string now, BulkRowErrors errors)
    {
        var changes = UpdateChanges(job, row, errors);
        foreach (var (name, v) in changes)
        {
            if (v is not null && job.Module.Schema.Field(name) is { Unique: true }
                && records.FindUnique(job.Module, name, RecordStore.IndexKey(v)) is { } other && other != record)
            {
                errors.Add("DUPLICATE_DATA", name);
            }
        }
        if (errors.Any)
        {
            return new BulkRowResult("skipped", "", errors.ToString());
        }
        ApplyChanges(job.Module, record, changes, now);
        return new BulkRowResult("updated", record.Id, "");
    }

    /// <summary>The row's changes by field: empty cells are skipped with ignore_empty, else cleared (not a mandatory field).</summary>
    private Dictionary<string, object?> UpdateChanges(BulkWriteJob job, string[] row, BulkRowErrors errors)
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
        return changes;
    }

    /// <summary>Writes the changes, moving the record in the indexes of its unique fields.</summary>
    private void ApplyChanges(ModuleData module, Record record, Dictionary<string, object?> changes, string now)
    {
        foreach (var (name, v) in changes)
        {
            if (module.Schema.Field(name) is { Unique: true })
            {
                var index = records.UniqueIndex(module, name);
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
        module.Schema.FillReadOnly(record.Fields);
        record.Fields["Modified_Time"] = now;
        record.Fields["Modified_By"] = BulkCells.RecordUser;
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
