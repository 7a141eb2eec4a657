using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using ZohoCrm.Http;

namespace ZohoCrm.Metadata
{
    /// <summary>
    /// A change checked against the module's field metadata before anything is sent: unknown fields (with a "did you
    /// mean" from the real names), fields Mass Update cannot set, read-only columns, a -FindBy that is not unique,
    /// mandatory fields an insert leaves out, and values whose type cannot fit the field. Each problem is a
    /// ZohoValidationException naming the field (and, for bulk write rows, the rows).
    /// </summary>
    internal static class MetadataChecks
    {
        /// <summary>-Data of a mass update.</summary>
        public static void MassUpdate(string module, IReadOnlyList<ZohoField> fields, IDictionary data)
        {
            foreach (DictionaryEntry e in data)
            {
                string name = Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                var field = Find(fields, name) ?? throw Unknown(module, name, fields, "Data");
                if (!field.MassUpdatable)
                    throw new ZohoValidationException("ZohoCrm.FieldNotMassUpdatable",
                        $"-Data field '{field.ApiName}' of {module} cannot be set by Mass Update: {WhyNotMassUpdatable(field)}. Nothing was sent. (Bulk write can set fields Mass Update cannot: New-ZcrmBulkWriteJob -Operation update.)", "Data");
                string problem = ValueProblem(field, e.Value);
                if (problem != null)
                    throw new ZohoValidationException("ZohoCrm.InvalidFieldValue", $"-Data field '{field.ApiName}' of {module} is {Describe(field)}: {problem}. Nothing was sent.", "Data", ZohoErrorKind.InvalidData);
            }
        }

        private static string WhyNotMassUpdatable(ZohoField f)
        {
            if (f.ReadOnly) return "it is read-only";
            if (!f.Visible) return "it is hidden";
            if (f.IsLookup) return $"it is a lookup ({f.DataType}), which Zoho's Mass Update does not set";
            if (f.DataType == "textarea") return "it is a multi-line field, which Zoho's Mass Update does not set";
            if (f.DataType == "email") return "it is an email field, which Zoho's Mass Update does not set";
            return $"Zoho's Mass Update does not set {f.DataType} fields";
        }

        /// <summary>Why a mass update value cannot fit the field; null if it can.</summary>
        internal static string ValueProblem(ZohoField f, object value)
        {
            if (value == null) return f.Mandatory ? "it is mandatory and cannot be cleared ($null)" : null;
            switch (f.DataType)
            {
                case "integer":
                case "bigint":
                    return IsIntegral(value) ? null : $"give a whole number, not {Show(value)}";
                case "double":
                case "currency":
                case "decimal":
                case "percent":
                    return IsNumber(value) ? null : $"give a number, not {Show(value)}";
                case "boolean":
                    return value is bool ? null : $"give $true or $false, not {Show(value)}";
                case "date":
                    return value is DateTime || value is DateTimeOffset || (value is string d && DateTime.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                        ? null : $"give a [datetime] or a 'yyyy-MM-dd' string, not {Show(value)}";
                case "datetime":
                    return value is DateTime || value is DateTimeOffset || (value is string t && t.Contains("T") && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                        ? null : $"give a [datetime] or an ISO date-time string such as '2024-03-01T09:30:00+00:00', not {Show(value)}";
                case "picklist":
                    if (!(value is string p)) return $"give one of its values as text, not {Show(value)}";
                    return !f.HasPicklistValues || f.IsPicklist(p) ? null : $"'{p}' is not one of its values ({Values(f)})";
                case "multiselectpicklist":
                    var items = value is string one ? new[] { one } : value is IEnumerable list ? list.Cast<object>().Select(o => o as string).ToArray() : null;
                    if (items == null || items.Any(i => i == null)) return $"give its values as text (an array for several), not {Show(value)}";
                    var bad = f.HasPicklistValues ? items.FirstOrDefault(i => !f.IsPicklist(i)) : null;
                    return bad == null ? null : $"'{bad}' is not one of its values ({Values(f)})";
                default:
                    return value is string || value is char ? null : $"give text, not {Show(value)}";
            }
        }

        /// <summary>The columns of a bulk write as mapped (field API names; "Account_Name.id" for a lookup by a field of its target), -FindBy and the operation.</summary>
        public static void BulkWriteColumns(string module, IReadOnlyList<ZohoField> fields, IReadOnlyList<string> mapped, string findBy, string operation, IEnumerable<string> withDefault)
        {
            foreach (var name in mapped)
            {
                // The record id: an update or upsert by id (Zoho lists no field for it).
                if (string.Equals(name, "id", StringComparison.OrdinalIgnoreCase)) continue;
                int dot = name.IndexOf('.');
                var field = Find(fields, dot > 0 ? name.Substring(0, dot) : name);
                if (field == null) throw Unknown(module, name, fields, "FieldMapping", column: true);
                if (dot > 0 && !field.IsLookup)
                    throw new ZohoValidationException("ZohoCrm.InvalidFieldName", $"Column '{name}': {field.ApiName} of {module} is not a lookup, so it has no '{name.Substring(dot + 1)}' to look up by. Nothing was uploaded.", "FieldMapping");
                if (field.ReadOnly && !string.Equals(field.ApiName, findBy, StringComparison.OrdinalIgnoreCase))
                    throw new ZohoValidationException("ZohoCrm.FieldReadOnly", $"Column '{name}' is {module}'s read-only field {field.ApiName}: Zoho would not write it. Leave it out (-Property, or -FieldMapping without it). Nothing was uploaded.", "FieldMapping");
            }
            if (findBy != null && !string.Equals(findBy, "id", StringComparison.OrdinalIgnoreCase))
            {
                var key = Find(fields, findBy) ?? throw Unknown(module, findBy, fields, "FindBy");
                if (!key.Unique)
                    throw new ZohoValidationException("ZohoCrm.FindByNotUnique",
                        $"-FindBy {key.ApiName} is not a unique field of {module}, so it cannot find one record per row. Use id or a unique field ({string.Join(", ", new[] { "id" }.Concat(fields.Where(f => f.Unique).Select(f => f.ApiName)))}). Nothing was uploaded.", "FindBy");
            }
            if (operation == "insert" || operation == "upsert")
            {
                var given = new HashSet<string>(mapped.Select(m => m.Split('.')[0]).Concat(withDefault), StringComparer.OrdinalIgnoreCase);
                var missing = fields.Where(f => f.Mandatory && !f.ReadOnly && !given.Contains(f.ApiName)).Select(f => f.ApiName).ToList();
                if (missing.Count > 0)
                    throw new ZohoValidationException("ZohoCrm.MandatoryFieldMissing",
                        $"{module} needs {string.Join(", ", missing)} in every new record, and the input has no column for {(missing.Count == 1 ? "it" : "them")} (-Operation {operation}). Add the column, or a -FieldMapping with a DefaultValue. Nothing was uploaded.", "FieldMapping");
            }
        }

        /// <summary>Why a bulk write cell cannot fit the field (empty cells are fine); null if it can. A mapping's own Format is not checked.</summary>
        [MethodImpl(Hot.Path)]
        internal static string CellProblem(ZohoField f, string cell, string format)
        {
            if (string.IsNullOrEmpty(cell)) return null;
            switch (f.DataType)
            {
                case "integer":
                case "bigint":
                    return long.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "not a whole number";
                case "double":
                case "currency":
                case "decimal":
                case "percent":
                    return double.TryParse(cell, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _) ? null : "not a number";
                case "boolean":
                    return string.Equals(cell, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(cell, "false", StringComparison.OrdinalIgnoreCase) ? null : "not true or false";
                case "date":
                    return format != null || DateTime.TryParseExact(cell, "MM/dd/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? null : "not a date as MM/dd/yyyy";
                case "datetime":
                    return format != null || DateTime.TryParseExact(cell, "MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? null : "not a date-time as MM/dd/yyyy HH:mm:ss";
                case "picklist":
                    return !f.HasPicklistValues || f.IsPicklist(cell) ? null : "not one of its values";
                case "multiselectpicklist":
                    return !f.HasPicklistValues || cell.Split(';').All(f.IsPicklist) ? null : "not among its values";
                default:
                    return null;
            }
        }

        public static ZohoField Find(IReadOnlyList<ZohoField> fields, string name) =>
            fields.FirstOrDefault(f => string.Equals(f.ApiName, name, StringComparison.Ordinal))
            ?? fields.FirstOrDefault(f => string.Equals(f.ApiName, name, StringComparison.OrdinalIgnoreCase));

        private static ZohoValidationException Unknown(string module, string name, IReadOnlyList<ZohoField> fields, string parameter, bool column = false)
        {
            string guess = DidYouMean(name, fields.Select(f => f.ApiName));
            string what = column ? $"Column '{name}' is not" : parameter == "FindBy" ? $"-FindBy '{name}' is not" : $"-Data field '{name}' is not";
            return new ZohoValidationException("ZohoCrm.UnknownField",
                $"{what} a field of {module}{(guess != null ? $". Did you mean {guess}?" : ".")} (Get-ZcrmField -Module {module} lists them.) Nothing was sent.", parameter);
        }

        /// <summary>The closest real name, if it is close (edit distance at most a third of the name, or the same letters ignoring case and underscores).</summary>
        internal static string DidYouMean(string name, IEnumerable<string> names)
        {
            string Norm(string s) => s.Replace("_", "").ToLowerInvariant();
            string best = null;
            int bestDistance = int.MaxValue;
            foreach (var n in names)
            {
                if (Norm(n) == Norm(name)) return n;
                int d = Distance(name.ToLowerInvariant(), n.ToLowerInvariant());
                if (d < bestDistance) { best = n; bestDistance = d; }
            }
            return best != null && bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
        }

        private static int Distance(string a, string b)
        {
            var prev = new int[b.Length + 1];
            var cur = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) prev[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                cur[0] = i;
                for (int j = 1; j <= b.Length; j++)
                    cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                var t = prev; prev = cur; cur = t;
            }
            return prev[b.Length];
        }

        private static bool IsIntegral(object v) => v is byte || v is sbyte || v is short || v is ushort || v is int || v is uint || v is long || v is ulong
                                                    || (v is decimal m && m == Math.Truncate(m)) || (v is double d && d == Math.Truncate(d) && !double.IsInfinity(d));
        private static bool IsNumber(object v) => IsIntegral(v) || v is float || v is double || v is decimal;
        private static string Show(object v) => v is string s ? $"the text '{s}'" : $"{Convert.ToString(v, CultureInfo.InvariantCulture)} (a {v.GetType().Name})";
        private static string Describe(ZohoField f) => $"a {f.DataType} field";
        private static string Values(ZohoField f) => string.Join(", ", f.PicklistValues.Take(12)) + (f.PicklistValues.Length > 12 ? ", ..." : "");
    }
}
