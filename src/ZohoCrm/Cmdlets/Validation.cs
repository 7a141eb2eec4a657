using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

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

    /// <summary>A Zoho record, job or view id: a string of digits.</summary>
    public sealed class ValidateZohoIdAttribute : ValidateArgumentsAttribute
    {
        private static readonly Regex Digits = new Regex(@"^\d{1,30}$");

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject p ? p.BaseObject : arguments;
            if (value is string s) { Check(s); return; }
            if (value is System.Collections.IEnumerable list)
                foreach (var item in list) Check(item is PSObject ip ? ip.BaseObject as string : item as string);
        }

        internal static bool IsZohoId(string id) => id != null && Digits.IsMatch(id);

        private static void Check(string id)
        {
            if (!IsZohoId(id))
                throw new ValidationMetadataException($"'{id}' is not a Zoho id: Zoho ids are strings of digits, such as 738964000002131001.");
        }
    }

    /// <summary>A module API name such as Leads, Deals or a custom module's API name.</summary>
    public sealed class ValidateModuleNameAttribute : ValidateArgumentsAttribute
    {
        private static readonly Regex Name = new Regex(@"^[A-Za-z][A-Za-z0-9_]{0,99}$");

        internal static bool IsModuleName(string name) => name != null && Name.IsMatch(name);

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string s = (arguments is PSObject p ? p.BaseObject : arguments) as string;
            if (string.IsNullOrWhiteSpace(s))
                throw new ValidationMetadataException("The module name is empty: give a module API name such as Leads or Deals.");
            if (!IsModuleName(s))
                throw new ValidationMetadataException($"'{s}' is not a module API name: API names are letters, digits and underscores, such as Leads, Deals or Custom_Module1.");
        }
    }
}
