using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Ids given as numbers ([long], [int], [decimal], a JSON number from ConvertFrom-Json) become their invariant
    /// digit strings, so they bind by property name and as typed; a non-integral number becomes its invariant text
    /// ("2.5"), which ValidateZohoId then rejects with its usual error. Anything else passes unchanged.
    /// </summary>
    public sealed class ZohoIdTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject p ? p.BaseObject : inputData;
            if (value is string) return value;
            if (IsNumber(value)) return ToText(value);
            if (value is IList list && !(value is IDictionary))
            {
                var items = new object[list.Count];
                bool changed = false;
                for (int i = 0; i < list.Count; i++)
                {
                    object item = list[i] is PSObject ip ? ip.BaseObject : list[i];
                    if (IsNumber(item)) { items[i] = ToText(item); changed = true; }
                    else items[i] = list[i];
                }
                return changed ? items : inputData;
            }
            return inputData;
        }

        private static bool IsNumber(object value) =>
            value is long || value is int || value is short || value is sbyte || value is byte || value is ushort
            || value is uint || value is ulong || value is decimal || value is double || value is float
            || value is System.Numerics.BigInteger;

        private static string ToText(object value)
        {
            switch (value)
            {
                case decimal d when d == decimal.Truncate(d): return decimal.Truncate(d).ToString(CultureInfo.InvariantCulture);
                case double d: return d.ToString("R", CultureInfo.InvariantCulture);
                case float f: return f.ToString("R", CultureInfo.InvariantCulture);
                default: return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>A Zoho record, job or view id: a string of ASCII digits (InputRules.IsZohoId).</summary>
    public sealed class ValidateZohoIdAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject p ? p.BaseObject : arguments;
            if (value is string s) { Check(s); return; }
            if (value is System.Collections.IEnumerable list)
                foreach (var item in list) Check(item is PSObject ip ? ip.BaseObject as string : item as string);
        }

        internal static bool IsZohoId(string id) => InputRules.IsZohoId(id);

        private static void Check(string id)
        {
            if (!IsZohoId(id))
                throw new ValidationMetadataException($"{InputRules.Show(id)} is not a Zoho id: Zoho ids are strings of digits 0-9, such as 738964000002131001.");
        }
    }

    /// <summary>A module API name such as Leads, Deals or a custom module's API name (InputRules.IsModuleName).</summary>
    public sealed class ValidateModuleNameAttribute : ValidateArgumentsAttribute
    {
        internal static bool IsModuleName(string name) => InputRules.IsModuleName(name);

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string s = (arguments is PSObject p ? p.BaseObject : arguments) as string;
            if (string.IsNullOrWhiteSpace(s))
                throw new ValidationMetadataException("The module name is empty: give a module API name such as Leads or Deals.");
            if (!IsModuleName(s))
                throw new ValidationMetadataException($"{InputRules.Show(s)} is not a module API name: API names are letters, digits and underscores, such as Leads, Deals or Custom_Module1.");
        }
    }

    /// <summary>Connect-Zcrm -ApiVersion: v8, v2.1 (InputRules.IsApiVersion).</summary>
    public sealed class ValidateApiVersionAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string s = (arguments is PSObject p ? p.BaseObject : arguments) as string;
            if (!InputRules.IsApiVersion(s))
                throw new ValidationMetadataException($"{InputRules.Show(s)} is not a Zoho API version: give one such as v8 or v2.1.");
        }
    }

    /// <summary>Connect-Zcrm -OrgId: the org's zgid, ASCII digits; it is sent as the X-CRM-ORG header.</summary>
    public sealed class ValidateOrgIdAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string s = (arguments is PSObject p ? p.BaseObject : arguments) as string;
            if (!InputRules.IsZohoId(s))
                throw new ValidationMetadataException($"{InputRules.Show(s)} is not a Zoho org id: the org id (zgid) is a string of digits 0-9, such as 4150868000000225013 (Setup > Company Details).");
        }
    }
}
