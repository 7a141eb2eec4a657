namespace ZohoCrm.Emulator;

/// <summary>One stored record: ordered field values plus the flags Zoho keeps outside the fields.</summary>
internal sealed class Record
{
    public Record(string id)
    {
        Id = id;
        Fields = new OrderedDictionary<string, object?>(StringComparer.Ordinal) { ["id"] = id };
    }

    public string Id { get; }
    public OrderedDictionary<string, object?> Fields { get; }

    /// <summary>False for records waiting for approval (mass update answers NOT_APPROVED).</summary>
    public bool Approved { get; set; } = true;

    /// <summary>Set when a process locks the record (mass update answers RECORD_LOCKED with this action).</summary>
    public string? LockedAction { get; set; }

    public IReadOnlyDictionary<string, object?> Snapshot()
    {
        var copy = new OrderedDictionary<string, object?>(Fields.Count, StringComparer.Ordinal);
        foreach (var (k, v) in Fields)
        {
            copy[k] = CopyValue(v);
        }
        return copy;
    }

    public static object? CopyValue(object? value) => value switch
    {
        string[] a => (string[])a.Clone(),
        IReadOnlyDictionary<string, object?> d => CopyDict(d),
        _ => value,
    };

    private static OrderedDictionary<string, object?> CopyDict(IReadOnlyDictionary<string, object?> d)
    {
        var copy = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in d)
        {
            copy[k] = CopyValue(v);
        }
        return copy;
    }
}

/// <summary>The records of one module, in creation order, with an id index.</summary>
internal sealed class ModuleData
{
    public ModuleData(ModuleSchema schema) => Schema = schema;

    public ModuleSchema Schema { get; }
    public List<Record> Records { get; } = new();
    public Dictionary<string, Record> ById { get; } = new(StringComparer.Ordinal);

    public Record Add(Record r)
    {
        Records.Add(r);
        ById.Add(r.Id, r);
        return r;
    }

    /// <summary>Creates a record with every schema field present (null unless given), then the system fields.</summary>
    public Record Create(string id, IReadOnlyDictionary<string, object?> values, string createdTime, IReadOnlyDictionary<string, object?>? createdBy = null)
    {
        var r = new Record(id);
        foreach (var f in Schema.Fields)
        {
            r.Fields[f.ApiName] = values.TryGetValue(f.ApiName, out var v)
                ? v
                : f.DefaultValue(() => Zoho.User());
        }
        Schema.FillReadOnly(r.Fields);
        var by = createdBy ?? Zoho.User();
        r.Fields["Created_Time"] = createdTime;
        r.Fields["Created_By"] = Record.CopyValue(by);
        r.Fields["Modified_Time"] = createdTime;
        r.Fields["Modified_By"] = Record.CopyValue(by);
        return Add(r);
    }
}
