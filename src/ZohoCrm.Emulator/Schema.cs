namespace ZohoCrm.Emulator;

/// <summary>Zoho field data types the emulator knows.</summary>
internal enum FieldType
{
    Text,
    Email,
    Phone,
    TextArea,
    Picklist,
    MultiSelectPicklist,
    Integer,
    Double,
    Currency,
    Boolean,
    Date,
    DateTime,
    Lookup,
}

internal sealed record FieldSchema(
    string ApiName,
    FieldType Type,
    bool Mandatory = false,
    bool Unique = false,
    bool MassUpdatable = true)
{
    /// <summary>
    /// The value a new record holds in this field when none is given: false, an empty list, the owner (the user
    /// making the record) for Owner, otherwise null.
    /// </summary>
    public object? DefaultValue(Func<object?> owner) => Type switch
    {
        FieldType.Boolean => false,
        FieldType.MultiSelectPicklist => Array.Empty<string>(),
        FieldType.Lookup when ApiName == "Owner" => owner(),
        _ => null,
    };

    /// <summary>Zoho's <c>data_type</c> name of the field (field metadata).</summary>
    public string DataType => Type switch
    {
        FieldType.Text => "text",
        FieldType.Email => "email",
        FieldType.Phone => "phone",
        FieldType.TextArea => "textarea",
        FieldType.Picklist => "picklist",
        FieldType.MultiSelectPicklist => "multiselectpicklist",
        FieldType.Integer => "integer",
        FieldType.Double => "double",
        FieldType.Currency => "currency",
        FieldType.Boolean => "boolean",
        FieldType.Date => "date",
        FieldType.DateTime => "datetime",
        FieldType.Lookup => "lookup",
        _ => "text",
    };

    /// <summary>The <c>expected_data_type</c> Zoho reports in an INVALID_DATA answer for a badly typed value.</summary>
    public string ExpectedDataType => Type switch
    {
        FieldType.Text or FieldType.TextArea or FieldType.Picklist => "text",
        FieldType.Email => "email",
        FieldType.Phone => "phone",
        FieldType.MultiSelectPicklist => "jsonarray",
        FieldType.Integer => "integer",
        FieldType.Double or FieldType.Currency => "double",
        FieldType.Boolean => "boolean",
        FieldType.Date => "date",
        FieldType.DateTime => "datetime",
        FieldType.Lookup => "jsonobject",
        _ => "text",
    };
}

internal sealed class ModuleSchema
{
    public ModuleSchema(string apiName, int massUpdateFieldLimit, IEnumerable<FieldSchema> fields)
    {
        ApiName = apiName;
        MassUpdateFieldLimit = massUpdateFieldLimit;
        Fields = fields.ToList();
        _byName = Fields.ToDictionary(f => f.ApiName, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, FieldSchema> _byName;

    public string ApiName { get; }
    public int MassUpdateFieldLimit { get; }
    public IReadOnlyList<FieldSchema> Fields { get; }

    public FieldSchema? Field(string apiName) => _byName.GetValueOrDefault(apiName);
}

/// <summary>A custom view: a named, module-bound record filter.</summary>
internal sealed record CustomView(string Id, string Module, string Name, Func<IReadOnlyDictionary<string, object?>, bool> Filter);

/// <summary>A territory: a record filter that can be combined with a custom view in mass update.</summary>
internal sealed record Territory(string Id, string Name, Func<IReadOnlyDictionary<string, object?>, bool> Filter);

/// <summary>The emulated org's metadata: modules, fields, custom views, territories.</summary>
internal static class ZohoSchema
{
    public static IReadOnlyList<ModuleSchema> CreateModules() =>
    [
        new ModuleSchema("Leads", ZohoLimits.MassUpdateFields,
        [
            new("Owner", FieldType.Lookup, MassUpdatable: false),
            new("First_Name", FieldType.Text),
            new("Last_Name", FieldType.Text, Mandatory: true),
            new("Company", FieldType.Text),
            new("Email", FieldType.Email, Unique: true, MassUpdatable: false),
            new("Phone", FieldType.Phone),
            new("Mobile", FieldType.Phone),
            new("No_of_Employees", FieldType.Integer),
            new("Annual_Revenue", FieldType.Currency),
            new("Lead_Status", FieldType.Picklist),
            new("Lead_Source", FieldType.Picklist),
            new("Rating", FieldType.Picklist),
            new("Industry", FieldType.Picklist),
            new("Email_Opt_Out", FieldType.Boolean),
            new("Description", FieldType.TextArea, MassUpdatable: false),
            new("Interests", FieldType.MultiSelectPicklist),
            new("Date_3", FieldType.Date),
            new("Last_Contacted", FieldType.DateTime),
            new("Layout", FieldType.Lookup, MassUpdatable: false),
        ]),
        new ModuleSchema("Deals", ZohoLimits.MassUpdateFieldsDeals,
        [
            new("Owner", FieldType.Lookup, MassUpdatable: false),
            new("Deal_Name", FieldType.Text, Mandatory: true),
            new("Stage", FieldType.Picklist),
            new("Amount", FieldType.Double),
            new("Closing_Date", FieldType.Date),
            new("Probability", FieldType.Integer),
            new("Description", FieldType.TextArea, MassUpdatable: false),
        ]),
        new ModuleSchema("Contacts", ZohoLimits.MassUpdateFields,
        [
            new("Owner", FieldType.Lookup, MassUpdatable: false),
            new("First_Name", FieldType.Text),
            new("Last_Name", FieldType.Text, Mandatory: true),
            new("Email", FieldType.Email, Unique: true, MassUpdatable: false),
            new("Phone", FieldType.Phone),
            new("Title", FieldType.Text),
            new("Department", FieldType.Text),
        ]),
    ];

    public static IReadOnlyList<CustomView> CreateCustomViews() =>
    [
        new("738964000000091563", "Leads", "All Leads", _ => true),
        new("738964000000091570", "Leads", "Not Contacted Leads",
            r => r.TryGetValue("Lead_Status", out var s) && s is string str && str == "Not Contacted"),
        new("738964000000091999", "Leads", "Empty View", _ => false),
        new("738964000000095001", "Deals", "All Deals", _ => true),
    ];

    public static IReadOnlyList<Territory> CreateTerritories() =>
    [
        new("738964000000300001", "Everywhere", _ => true),
    ];
}
