using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using ZohoCrm.Http;

namespace ZohoCrm.BulkWrite
{
    /// <summary>A field mapping as the user gave it, resolved against the columns.</summary>
    internal sealed class FieldMappingSpec
    {
        public string ApiName;
        public int? Index;
        public string Format;
        public string FindBy;
        public object DefaultValue;
        public bool HasDefault;
    }

    internal static class FieldMappings
    {
        private const string Param = "FieldMapping";

        /// <summary>
        /// Reads -FieldMapping: @{ api_name = 'Column' | 3 | @{ Column|Index; Format; FindBy; DefaultValue } }, or a list
        /// of @{ ApiName = ..; Column|Index; ... }. Column names are resolved to indexes in <paramref name="columns"/>.
        /// </summary>
        public static List<FieldMappingSpec> Parse(object mapping, IReadOnlyList<string> columns)
        {
            var specs = new List<FieldMappingSpec>();
            if (mapping is IDictionary dict && !dict.Contains("ApiName") && !dict.Contains("api_name"))
            {
                foreach (DictionaryEntry e in dict) specs.Add(Parse(Convert.ToString(e.Key, CultureInfo.InvariantCulture), e.Value, columns));
            }
            else if (mapping is IDictionary single)
            {
                specs.Add(ParseItem(single, columns));
            }
            else if (mapping is IEnumerable list && !(mapping is string))
            {
                foreach (var item in list)
                {
                    if (!(item is IDictionary d))
                        throw Bad($"each item of a -FieldMapping list must be a hashtable such as @{{ ApiName = 'Last_Name'; Column = 'Surname' }}, not '{item}'.");
                    specs.Add(ParseItem(d, columns));
                }
            }
            else throw Bad("-FieldMapping must be a hashtable (api_name -> column name, index or @{ Column; Format; FindBy; DefaultValue }) or a list of such hashtables.");

            if (specs.Count == 0) throw Bad("-FieldMapping is empty.");
            var dup = specs.GroupBy(s => s.ApiName, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (dup != null) throw Bad($"-FieldMapping maps '{dup.Key}' more than once.");
            return specs;
        }

        /// <summary>
        /// The input column a job's file puts first so Zoho's result echo (the first three mapped columns) names each
        /// row: the one that -FindBy reads (mapped to it, else named so), else the first.
        /// </summary>
        public static int KeyColumn(IReadOnlyList<string> columns, IReadOnlyList<FieldMappingSpec> mappings, string findBy)
        {
            if (findBy == null) return 0;
            if (mappings != null)
                return mappings.FirstOrDefault(m => string.Equals(m.ApiName, findBy, StringComparison.OrdinalIgnoreCase) && m.Index.HasValue)?.Index ?? 0;
            for (int i = 0; i < columns.Count; i++)
                if (string.Equals(columns[i], findBy, StringComparison.OrdinalIgnoreCase)) return i;
            return 0;
        }

        /// <summary>The mappings with their indexes in the job's file (<see cref="ChunkWriter.FileIndex"/>: the key column first).</summary>
        public static List<FieldMappingSpec> InFile(IReadOnlyList<FieldMappingSpec> mappings, int keyColumn) =>
            mappings?.Select(m => new FieldMappingSpec
            {
                ApiName = m.ApiName, Format = m.Format, FindBy = m.FindBy, DefaultValue = m.DefaultValue, HasDefault = m.HasDefault,
                Index = m.Index.HasValue ? ChunkWriter.FileIndex(m.Index.Value, keyColumn) : (int?)null,
            }).ToList();

        private static FieldMappingSpec ParseItem(IDictionary d, IReadOnlyList<string> columns)
        {
            string api = Convert.ToString(Get(d, "ApiName") ?? Get(d, "api_name"), CultureInfo.InvariantCulture);
            return Parse(api, d, columns);
        }

        private static FieldMappingSpec Parse(string apiName, object value, IReadOnlyList<string> columns)
        {
            if (!InputRules.IsFieldName(apiName))
                throw Bad($"{InputRules.Show(apiName)} is not a field API name (API names are letters, digits and underscores, such as Last_Name).");
            var spec = new FieldMappingSpec { ApiName = apiName };
            if (value is IDictionary d)
            {
                foreach (DictionaryEntry e in d)
                {
                    string key = Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                    if (!new[] { "ApiName", "api_name", "Column", "Index", "Format", "FindBy", "DefaultValue" }.Contains(key, StringComparer.OrdinalIgnoreCase))
                        throw Bad($"the mapping of '{apiName}' has an unknown key '{key}' (known: Column, Index, Format, FindBy, DefaultValue).");
                }
                object column = Get(d, "Column");
                object index = Get(d, "Index");
                if (column != null && index != null) throw Bad($"the mapping of '{apiName}' gives both Column and Index: give one.");
                if (column != null) spec.Index = ResolveColumn(apiName, Convert.ToString(column, CultureInfo.InvariantCulture), columns);
                if (index != null) spec.Index = ResolveIndex(apiName, index, columns);
                spec.Format = Convert.ToString(Get(d, "Format"), CultureInfo.InvariantCulture);
                spec.FindBy = Convert.ToString(Get(d, "FindBy"), CultureInfo.InvariantCulture);
                if (d.Contains("DefaultValue")) { spec.HasDefault = true; spec.DefaultValue = Get(d, "DefaultValue"); }
                if (string.IsNullOrEmpty(spec.Format)) spec.Format = null;
                if (string.IsNullOrEmpty(spec.FindBy)) spec.FindBy = null;
                else if (!InputRules.IsFieldName(spec.FindBy))
                    throw Bad($"the FindBy {InputRules.Show(spec.FindBy)} of '{apiName}' is not a field API name (such as id or Email).");
                if (spec.Index == null && !spec.HasDefault)
                    throw Bad($"the mapping of '{apiName}' needs a Column, an Index or a DefaultValue.");
                if (spec.Format != null && !DateValues.IsValidFormat(spec.Format))
                    throw Bad($"the Format {InputRules.Show(spec.Format)} of '{apiName}' is not a date format (such as 'MM/dd/yyyy' or 'yyyy-MM-dd HH:mm:ss').");
            }
            else if (value is string name) spec.Index = ResolveColumn(apiName, name, columns);
            else if (IsWholeNumber(value)) spec.Index = ResolveIndex(apiName, value, columns);
            else throw Bad($"the mapping of '{apiName}' must be a column name, a column index or a hashtable, not '{value}'.");
            return spec;
        }

        private static object Get(IDictionary d, string key)
        {
            foreach (DictionaryEntry e in d)
                if (string.Equals(Convert.ToString(e.Key, CultureInfo.InvariantCulture), key, StringComparison.OrdinalIgnoreCase)) return e.Value;
            return null;
        }

        private static int ResolveColumn(string apiName, string column, IReadOnlyList<string> columns)
        {
            if (columns == null) throw Bad($"the mapping of '{apiName}' names column '{column}', but with -FileId the columns are unknown: give its Index.");
            for (int i = 0; i < columns.Count; i++)
                if (string.Equals(columns[i], column, StringComparison.OrdinalIgnoreCase)) return i;
            throw Bad($"the mapping of '{apiName}' names column '{column}', which the input does not have. Columns: {string.Join(", ", columns)}.");
        }

        private static bool IsWholeNumber(object value) =>
            value is int || value is long || value is short || value is byte || value is sbyte || value is ushort || value is uint || value is ulong;

        /// <summary>
        /// A column index: a whole number, or a string of ASCII digits (from a CSV or JSON file). Anything else, and any
        /// number past the columns (99999999999, [int64]::MaxValue), is a clear error, never a Format/OverflowException.
        /// </summary>
        private static int ResolveIndex(string apiName, object value, IReadOnlyList<string> columns)
        {
            string range = columns == null ? "a column number (0 or more)" : $"one of the input's {columns.Count} columns (0 to {columns.Count - 1})";
            string text = value is string s ? s : IsWholeNumber(value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
            if (text == null || (value is string && !InputRules.IsAsciiDigits(text)))
                throw Bad($"the Index of '{apiName}' is {Describe(value)}; it must be {range}.");
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index) || index < 0 || (columns != null && index >= columns.Count))
                throw Bad($"the mapping of '{apiName}' uses column index {text}, but it must be {range}.");
            return index;
        }

        private static string Describe(object value) =>
            value is string s ? InputRules.Show(s) : $"{InputRules.Show(Convert.ToString(value, CultureInfo.InvariantCulture))} (a {value.GetType().Name})";

        private static ZohoValidationException Bad(string message) => new ZohoValidationException("ZohoCrm.InvalidFieldMapping", "Invalid -FieldMapping: " + message, Param);
    }

    /// <summary>Turns pipeline objects into CSV rows with fixed columns: the first object's properties, or -Property.</summary>
    internal sealed class RowBuilder
    {
        private readonly Dictionary<string, int> _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly string[] _formats;

        private readonly bool _selected;

        /// <param name="selected">The columns came from -Property: other properties are left out on purpose.</param>
        public RowBuilder(IReadOnlyList<string> columns, IEnumerable<FieldMappingSpec> mappings, bool selected)
        {
            Columns = columns;
            _selected = selected;
            CheckColumns(columns, "InputObject");
            for (int i = 0; i < columns.Count; i++) _index[columns[i]] = i;
            _formats = new string[columns.Count];
            if (mappings != null)
                foreach (var m in mappings)
                    if (m.Index.HasValue && m.Format != null) _formats[m.Index.Value] = m.Format;
        }

        public IReadOnlyList<string> Columns { get; }

        public static void CheckColumns(IReadOnlyList<string> columns, string parameter)
        {
            if (columns.Count == 0)
                throw new ZohoValidationException("ZohoCrm.NoColumns", "The input has no columns: give objects with properties, or -Property.", parameter);
            if (columns.Count > ChunkWriter.MaxColumns)
                throw new ZohoValidationException("ZohoCrm.TooManyColumns", $"The input has {columns.Count} columns; Zoho's bulk write takes at most {ChunkWriter.MaxColumns}. Select the columns you need (-Property, or Select-Object).", parameter);
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < columns.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(columns[i]))
                    throw new ZohoValidationException("ZohoCrm.InvalidColumn", $"Column {i + 1} of the input has no name.", parameter);
                if (!seen.Add(columns[i]))
                    throw new ZohoValidationException("ZohoCrm.DuplicateColumn", $"The input has the column '{columns[i]}' twice.", parameter);
            }
        }

        /// <summary>One row from the cells of an input object (name, plain value); a name outside the columns is an error (never silently dropped).</summary>
        [MethodImpl(Hot.Path)]
        public string[] Build(IEnumerable<KeyValuePair<string, object>> cells, long row)
        {
            var result = new string[Columns.Count];
            for (int i = 0; i < result.Length; i++) result[i] = "";
            int position = 0;
            foreach (var cell in cells) Set(result, cell.Key, cell.Value, row, position++);
            return result;
        }

        /// <param name="position">Where the cell is in its row: the rows of one input mostly have the columns in the same order.</param>
        [MethodImpl(Hot.Path)]
        private void Set(string[] cells, string name, object value, long row, int position)
        {
            int i = position;
            if ((position >= Columns.Count || !string.Equals(Columns[position], name, StringComparison.OrdinalIgnoreCase)) && !_index.TryGetValue(name, out i))
            {
                if (_selected) return;
                throw new ZohoValidationException("ZohoCrm.UnknownColumn",
                    $"Row {row} has the property '{name}', which is not one of the columns ({string.Join(", ", Columns)}). The columns are the first object's properties, or -Property; nothing was uploaded. Add '{name}' with -Property, or remove it from the input.",
                    "InputObject");
            }
            cells[i] = Csv.FormatValue(value, _formats[i], name, row);
        }
    }
}
