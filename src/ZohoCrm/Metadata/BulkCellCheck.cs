using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Metadata
{
    /// <summary>
    /// Checks each bulk write row's cells against the fields their columns map to, as the rows are read, and names
    /// every field with values that cannot fit it and its rows (the first few of each), before anything is uploaded.
    /// </summary>
    internal sealed class BulkCellCheck
    {
        private const int RowsNamed = 10;
        private readonly string _module;
        private readonly ZohoField[] _fieldOf;
        private readonly string[] _formatOf;
        private readonly Dictionary<int, (string Why, List<long> Rows, long Count)> _problems = new Dictionary<int, (string, List<long>, long)>();

        /// <param name="columns">The input's columns in the caller's order.</param>
        /// <param name="mappings">-FieldMapping with indexes into <paramref name="columns"/>; null: columns map by name.</param>
        public BulkCellCheck(string module, IReadOnlyList<ZohoField> fields, IReadOnlyList<string> columns, IReadOnlyList<FieldMappingSpec> mappings)
        {
            _module = module;
            _fieldOf = new ZohoField[columns.Count];
            _formatOf = new string[columns.Count];
            if (mappings != null)
            {
                foreach (var m in mappings)
                    if (m.Index.HasValue && m.Index.Value < columns.Count)
                    {
                        _fieldOf[m.Index.Value] = MetadataChecks.Find(fields, m.ApiName);
                        _formatOf[m.Index.Value] = m.Format;
                    }
            }
            else
                for (int i = 0; i < columns.Count; i++) _fieldOf[i] = MetadataChecks.Find(fields, columns[i]);
        }

        /// <summary>The field API names the columns map to (what the job will set).</summary>
        public static List<string> Mapped(IReadOnlyList<string> columns, IReadOnlyList<FieldMappingSpec> mappings) =>
            mappings != null ? mappings.Where(m => m.Index.HasValue).Select(m => m.ApiName).ToList() : columns.ToList();

        public bool HasProblems => _problems.Count > 0;

        [MethodImpl(Hot.Path)]
        public void Check(IReadOnlyList<string> cells, long row)
        {
            for (int i = 0; i < _fieldOf.Length && i < cells.Count; i++)
            {
                var field = _fieldOf[i];
                if (field == null) continue;
                string why = MetadataChecks.CellProblem(field, cells[i], _formatOf[i]);
                if (why == null) continue;
                if (!_problems.TryGetValue(i, out var p)) p = (why, new List<long>(), 0);
                if (p.Rows.Count < RowsNamed) p.Rows.Add(row);
                _problems[i] = (p.Why, p.Rows, p.Count + 1);
            }
        }

        /// <summary>After the last row: one error naming each field and its rows, if any value cannot fit.</summary>
        public void ThrowIfAny(string parameter, string sourcePath)
        {
            if (_problems.Count == 0) return;
            string of = sourcePath == null ? "" : $" of {System.IO.Path.GetFileName(sourcePath)}";
            var parts = _problems.OrderBy(p => p.Key).Select(p =>
            {
                var f = _fieldOf[p.Key];
                string rows = ResultJoin.Ranges(p.Value.Rows, RowsNamed) + (p.Value.Count > p.Value.Rows.Count ? ", ..." : "");
                string values = f.HasPicklistValues && (f.DataType == "picklist" || f.DataType == "multiselectpicklist") ? $" ({string.Join(", ", f.PicklistValues.Take(12))})" : "";
                return $"{f.ApiName} ({f.DataType}): {p.Value.Count:N0} row(s){of}, rows {rows}: {p.Value.Why}{values}";
            });
            throw new ZohoValidationException("ZohoCrm.InvalidFieldValue",
                $"Values that {_module}'s fields cannot take: {string.Join("; ", parts)}. Nothing was uploaded. (-SkipMetadataCheck sends them anyway, for Zoho to judge row by row.)", parameter, ZohoErrorKind.InvalidData);
        }
    }
}
