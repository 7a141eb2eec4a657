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
    bool MassUpdatable = true,
    bool ReadOnly = false,
    IReadOnlyList<string>? Values = null)
{
    /// <summary>
    /// The picklist's values (Zoho's pick_list_values), null when the schema gives none: then any value passes.
    /// A value outside a given list is refused (INVALID_DATA) by mass update and bulk write.
    /// </summary>
    public IReadOnlyList<string>? Values { get; } = Values;

    /// <summary>True when the field takes <paramref name="value"/>: any value but outside its picklist values.</summary>
    public bool Allows(string value) => Values is null || Values.Contains(value, StringComparer.Ordinal);

    /// <summary>The module an Owner or other lookup points to (field metadata <c>lookup.module</c>); null for the other fields.</summary>
    public string? LookupModule => Type != FieldType.Lookup ? null : ApiName switch
    {
        "Owner" => "users",
        "Layout" => "Layouts",
        _ => ApiName,
    };

    /// <summary>Zoho's <c>field_label</c>: the api name with spaces.</summary>
    public string Label => ApiName.Replace('_', ' ');

    /// <summary>The field's longest value (field metadata <c>length</c>) for text-like fields; null for the others.</summary>
    public int? Length => Type switch
    {
        FieldType.Text or FieldType.Picklist => Type == FieldType.Picklist ? 120 : 255,
        FieldType.Email => 100,
        FieldType.Phone => 30,
        FieldType.TextArea => 32000,
        FieldType.MultiSelectPicklist => 2000,
        _ => null,
    };

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
        FieldType.Lookup when ApiName == "Owner" => "ownerlookup",
        FieldType.Lookup => "lookup",
        _ => "text",
    };

    /// <summary>Zoho's <c>json_type</c> of the field (field metadata).</summary>
    public string JsonType => Type switch
    {
        FieldType.Integer => "integer",
        FieldType.Double or FieldType.Currency => "double",
        FieldType.Boolean => "boolean",
        FieldType.MultiSelectPicklist => "jsonarray",
        FieldType.Lookup => "jsonobject",
        _ => "string",
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
    public ModuleSchema(string id, string apiName, string singularLabel, int massUpdateFieldLimit, IEnumerable<FieldSchema> fields)
    {
        Id = id;
        ApiName = apiName;
        SingularLabel = singularLabel;
        MassUpdateFieldLimit = massUpdateFieldLimit;
        _fields = fields.ToList();
        _byName = _fields.ToDictionary(f => f.ApiName, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, FieldSchema> _byName;
    private readonly List<FieldSchema> _fields;

    /// <summary>The module's id in the module metadata (a Zoho-style digit string, stable).</summary>
    public string Id { get; }
    public string ApiName { get; }
    public string SingularLabel { get; }
    public int MassUpdateFieldLimit { get; }
    public IReadOnlyList<FieldSchema> Fields => _fields;

    public FieldSchema? Field(string apiName) => _byName.GetValueOrDefault(apiName);

    /// <summary>
    /// A field's id in the field metadata: "7389640000", the module id's last 4 digits, the field's position (stable as
    /// long as fields are only added at the end).
    /// </summary>
    public string FieldId(FieldSchema field) => "7389640000" + Id[^4..] + D(_fields.IndexOf(field) + 1, 4);

    /// <summary>The id of a field's picklist value <paramref name="valueIndex"/> (0-based), built like <see cref="FieldId"/>.</summary>
    public string PickListValueId(FieldSchema field, int valueIndex) =>
        "73896400" + Id[^4..] + D(_fields.IndexOf(field) + 1, 3) + D(valueIndex + 1, 3);

    private static string D(int n, int digits) => n.ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Fills the fields the emulator computes (Full_Name = First_Name + ' ' + Last_Name in Leads and Contacts) after a
    /// record was created or changed. Nothing else writes them: they are read-only.
    /// </summary>
    public void FillReadOnly(IDictionary<string, object?> record)
    {
        if (_byName.ContainsKey(ZohoSchema.FullName))
        {
            var parts = new[] { ZohoSchema.FirstName, ZohoSchema.LastName }
                .Select(n => record.TryGetValue(n, out var v) ? v as string : null)
                .Where(v => !string.IsNullOrWhiteSpace(v));
            var full = string.Join(' ', parts);
            record[ZohoSchema.FullName] = full.Length == 0 ? null : full;
        }
    }
}

/// <summary>A custom view: a named, module-bound record filter.</summary>
/// <remarks><paramref name="SystemName"/>: the system_name of a view Zoho defines (system_defined); null for a user's view.</remarks>
internal sealed record CustomView(string Id, string Module, string Name, Func<IReadOnlyDictionary<string, object?>, bool> Filter,
    string? SystemName = null);

/// <summary>A territory: a record filter that can be combined with a custom view in mass update.</summary>
internal sealed record Territory(string Id, string Name, Func<IReadOnlyDictionary<string, object?>, bool> Filter);

/// <summary>The emulated org's metadata: modules, fields, custom views, territories.</summary>
internal static class ZohoSchema
{
    public const string FullName = "Full_Name";
    public const string FirstName = "First_Name";
    public const string LastName = "Last_Name";

    /// <summary>
    /// Leads.Rating: Zoho's usual values (Acquired ... Shut Down), the Hot/Warm/Cold many orgs use, and every other
    /// value the tests send (Pester tests of retries and faults mark records with a word of their own).
    /// </summary>
    public static readonly IReadOnlyList<string> RatingValues =
    [
        "Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down", "Hot", "Warm", "Cold",
        "Never", "Flaky", "Long", "Expiring", "Shared", "Parallel", "Refreshed", "x",
    ];

    /// <summary>Leads.Lead_Status: Zoho's usual values, plus Hot and Cold (a Pester test bulk writes a Status column into it).</summary>
    public static readonly IReadOnlyList<string> LeadStatusValues =
    [
        "Attempted to Contact", "Contact in Future", "Contacted", "Junk Lead", "Lost Lead", "Not Contacted",
        "Pre-Qualified", "Not Qualified", "Hot", "Cold",
    ];

    /// <summary>Deals.Stage: Zoho's usual values.</summary>
    public static readonly IReadOnlyList<string> StageValues =
    [
        "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers", "Perception Analysis",
        "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost", "Closed Lost to Competition",
    ];

    public static IReadOnlyList<ModuleSchema> CreateModules() =>
    [
        new ModuleSchema("738964000000002175", "Leads", "Lead", ZohoLimits.MassUpdateFields,
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
            new("Lead_Status", FieldType.Picklist, Values: LeadStatusValues),
            new("Lead_Source", FieldType.Picklist),
            new("Rating", FieldType.Picklist, Values: RatingValues),
            new("Industry", FieldType.Picklist),
            new("Email_Opt_Out", FieldType.Boolean),
            new("Description", FieldType.TextArea, MassUpdatable: false),
            new("Interests", FieldType.MultiSelectPicklist),
            new("Date_3", FieldType.Date),
            new("Last_Contacted", FieldType.DateTime),
            new("Layout", FieldType.Lookup, MassUpdatable: false),
            new(FullName, FieldType.Text, MassUpdatable: false, ReadOnly: true),
        ]),
        new ModuleSchema("738964000000002177", "Deals", "Deal", ZohoLimits.MassUpdateFieldsDeals,
        [
            new("Owner", FieldType.Lookup, MassUpdatable: false),
            new("Deal_Name", FieldType.Text, Mandatory: true),
            new("Stage", FieldType.Picklist, Values: StageValues),
            new("Amount", FieldType.Double),
            new("Closing_Date", FieldType.Date),
            new("Probability", FieldType.Integer),
            new("Description", FieldType.TextArea, MassUpdatable: false),
        ]),
        new ModuleSchema("738964000000002179", "Contacts", "Contact", ZohoLimits.MassUpdateFields,
        [
            new("Owner", FieldType.Lookup, MassUpdatable: false),
            new("First_Name", FieldType.Text),
            new("Last_Name", FieldType.Text, Mandatory: true),
            new("Email", FieldType.Email, Unique: true, MassUpdatable: false),
            new("Phone", FieldType.Phone),
            new("Title", FieldType.Text),
            new("Department", FieldType.Text),
            new(FullName, FieldType.Text, MassUpdatable: false, ReadOnly: true),
        ]),
    ];

    public static IReadOnlyList<CustomView> CreateCustomViews() =>
    [
        new("738964000000091563", "Leads", "All Leads", _ => true, "ALLVIEWS"),
        new("738964000000091570", "Leads", "Not Contacted Leads",
            r => r.TryGetValue("Lead_Status", out var s) && s is string str && str == "Not Contacted", "NOTCONTACTED"),
        new("738964000000091999", "Leads", "Empty View", _ => false),
        new("738964000000095001", "Deals", "All Deals", _ => true, "ALLVIEWS"),
    ];

    public static IReadOnlyList<Territory> CreateTerritories() =>
    [
        new("738964000000300001", "Everywhere", _ => true),
    ];
}
