using System;
using System.Linq;

namespace ZohoCrm
{
    /// <summary>A module of the org (GET /crm/{v}/settings/modules).</summary>
    public sealed class ZohoModule
    {
        public string ApiName { get; internal set; }
        public string Id { get; internal set; }
        public string SingularLabel { get; internal set; }
        public string PluralLabel { get; internal set; }
        public bool ApiSupported { get; internal set; }
        public bool Creatable { get; internal set; }
        public bool Editable { get; internal set; }
        public override string ToString() => ApiName;
    }

    /// <summary>A field of a module (GET /crm/{v}/settings/fields?module=X), with what the module's checks read from it.</summary>
    public sealed class ZohoField
    {
        public string Module { get; internal set; }
        public string ApiName { get; internal set; }
        public string Label { get; internal set; }
        public string Id { get; internal set; }
        /// <summary>Zoho's data_type: text, email, phone, textarea, picklist, multiselectpicklist, integer, double, currency, boolean, date, datetime, lookup, ownerlookup...</summary>
        public string DataType { get; internal set; }
        public string JsonType { get; internal set; }
        /// <summary>read_only or field_read_only: no API call can set it.</summary>
        public bool ReadOnly { get; internal set; }
        /// <summary>system_mandatory: an insert must give it.</summary>
        public bool Mandatory { get; internal set; }
        public bool Unique { get; internal set; }
        public bool Visible { get; internal set; }
        public int? Length { get; internal set; }
        /// <summary>A picklist's values (actual_value); empty when Zoho lists none.</summary>
        public string[] PicklistValues { get; internal set; } = new string[0];
        /// <summary>The module a lookup field points to.</summary>
        public string LookupModule { get; internal set; }

        /// <summary>
        /// Whether Mass Update can set it. Zoho's rules (zoho-api.md section 3): not Email, lookups, multi-line text,
        /// read-only or hidden fields.
        /// </summary>
        public bool MassUpdatable => !ReadOnly && Visible && !IsLookup && DataType != "textarea" && DataType != "email"
                                     && DataType != "subform" && DataType != "fileupload" && DataType != "imageupload";

        internal bool IsLookup => DataType == "lookup" || DataType == "ownerlookup" || DataType == "multiselectlookup" || DataType == "userlookup";

        internal bool HasPicklistValues => PicklistValues.Length > 0;

        internal bool IsPicklist(string value) => PicklistValues.Contains(value, StringComparer.Ordinal);

        public override string ToString() => $"{ApiName} ({DataType})";
    }

    /// <summary>A custom view of a module (GET /crm/{v}/settings/custom_views?module=X).</summary>
    public sealed class ZohoCustomView
    {
        public string Module { get; internal set; }
        public string Id { get; internal set; }
        public string Name { get; internal set; }
        public string DisplayValue { get; internal set; }
        public bool SystemDefined { get; internal set; }
        public override string ToString() => $"{DisplayValue ?? Name} ({Id})";
    }
}
