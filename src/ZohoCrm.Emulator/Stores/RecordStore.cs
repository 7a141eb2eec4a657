using System.Globalization;

namespace ZohoCrm.Emulator;

/// <summary>
/// The CRM data: records by module (seeded), custom views, territories, and the value indexes of unique fields.
/// <see cref="Gate"/> guards records and the jobs that change them (mass update and bulk write hold it per step).
/// </summary>
internal sealed class RecordStore
{
    private readonly Dictionary<(string Module, string Field), Dictionary<string, Record>> _uniqueIndexes = new();

    public RecordStore(EmulatorOptions options)
    {
        Modules = ZohoSchema.CreateModules().ToDictionary(m => m.ApiName, m => new ModuleData(m), StringComparer.Ordinal);
        CustomViews = ZohoSchema.CreateCustomViews().ToDictionary(v => v.Id, StringComparer.Ordinal);
        Territories = ZohoSchema.CreateTerritories().ToDictionary(t => t.Id, StringComparer.Ordinal);
        SeedData.Populate(Modules, options);
    }

    public Lock Gate { get; } = new();
    public Dictionary<string, ModuleData> Modules { get; }
    public Dictionary<string, CustomView> CustomViews { get; }
    public Dictionary<string, Territory> Territories { get; }

    public IReadOnlyDictionary<string, object?>? Get(string module, string id)
    {
        lock (Gate)
        {
            return Modules.TryGetValue(module, out var m) && m.ById.TryGetValue(id, out var r) ? r.Snapshot() : null;
        }
    }

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> GetAll(string module)
    {
        lock (Gate)
        {
            return Modules.TryGetValue(module, out var m)
                ? m.Records.Select(r => r.Snapshot()).ToArray()
                : Array.Empty<IReadOnlyDictionary<string, object?>>();
        }
    }

    /// <summary>Ids of a module's records in creation order (seed ones first).</summary>
    public IReadOnlyList<string> Ids(string module)
    {
        lock (Gate)
        {
            return Modules[module].Records.Select(r => r.Id).ToArray();
        }
    }

    /// <summary>The record whose unique field currently holds this key (caller holds the gate).</summary>
    public Record? FindUnique(ModuleData module, string field, string key) =>
        UniqueIndex(module, field).TryGetValue(key, out var r)
        && r.Fields.GetValueOrDefault(field) is { } current && IndexKey(current) == key
            ? r
            : null;

    /// <summary>Value -> record of one unique field, built on first use, kept up to date by bulk writes (caller holds the gate).</summary>
    public Dictionary<string, Record> UniqueIndex(ModuleData module, string field)
    {
        var key = (module.Schema.ApiName, field);
        if (!_uniqueIndexes.TryGetValue(key, out var index))
        {
            index = new Dictionary<string, Record>(Math.Max(16, module.Records.Count), StringComparer.Ordinal);
            foreach (var r in module.Records)
            {
                if (r.Fields.GetValueOrDefault(field) is { } v)
                {
                    index.TryAdd(IndexKey(v), r);
                }
            }
            _uniqueIndexes[key] = index;
        }
        return index;
    }

    /// <summary>A stored value as a unique-index key: the text, or a lookup's id.</summary>
    public static string IndexKey(object value) => value switch
    {
        string s => s,
        IReadOnlyDictionary<string, object?> d when d.TryGetValue("id", out var id) => Convert.ToString(id, CultureInfo.InvariantCulture) ?? "",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
