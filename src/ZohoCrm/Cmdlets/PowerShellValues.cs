using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Turns what PowerShell hands a cmdlet into plain .NET values for the domain: a PSObject becomes the value it
    /// wraps (a PSCustomObject a <see cref="CustomObjectValue"/>), a [switch] a bool; lists and dictionaries holding
    /// such values are copied, others are passed as they are.
    /// </summary>
    internal static class PowerShellValues
    {
        // Deeper than JSON may nest (Json.WriteValue refuses more than 16 levels), so a cycle ends here.
        private const int MaxDepth = 20;

        /// <param name="intoDictionaries">Also look inside dictionaries and custom objects (for JSON); a CSV cell refuses them whole.</param>
        public static object ToPlain(object value, bool intoDictionaries) => ToPlain(value, intoDictionaries, 0);

        [MethodImpl(Hot.Path)]
        private static object ToPlain(object value, bool deep, int depth)
        {
            if (depth > MaxDepth) return value;
            if (value is PSObject pso)
            {
                if (pso.BaseObject is PSCustomObject) return CustomObject(pso, deep, depth);
                value = pso.BaseObject;
            }
            switch (value)
            {
                case SwitchParameter s: return s.IsPresent;
                case string _: return value;
                case IDictionary d: return deep ? Dictionary(d, depth) : value;
                case IEnumerable list: return List(list, deep, depth);
                default: return value;
            }
        }

        private static CustomObjectValue CustomObject(PSObject pso, bool deep, int depth)
        {
            var custom = new CustomObjectValue();
            if (!deep) return custom;
            foreach (var p in pso.Properties)
                if (p is PSNoteProperty || p is PSProperty) custom[p.Name] = ToPlain(p.Value, true, depth + 1);
            return custom;
        }

        private static IDictionary Dictionary(IDictionary d, int depth)
        {
            var entries = new List<DictionaryEntry>();
            bool changed = false;
            foreach (DictionaryEntry e in d)
            {
                object key = ToPlain(e.Key, true, depth + 1), value = ToPlain(e.Value, true, depth + 1);
                changed |= !ReferenceEquals(key, e.Key) || !ReferenceEquals(value, e.Value);
                entries.Add(new DictionaryEntry(key, value));
            }
            if (!changed) return d;
            // As a PowerShell @{ } hashtable: keys are case-insensitive.
            var copy = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (var e in entries) copy[e.Key] = e.Value;
            return copy;
        }

        private static IEnumerable List(IEnumerable list, bool deep, int depth)
        {
            var items = new List<object>();
            bool changed = false;
            foreach (var item in list)
            {
                var plain = ToPlain(item, deep, depth + 1);
                changed |= !ReferenceEquals(plain, item);
                items.Add(plain);
            }
            return changed ? items : list;
        }

        /// <summary>The column names of an input object: an IDictionary's keys, else its properties in order.</summary>
        public static List<string> ColumnsOf(PSObject obj)
        {
            if (obj.BaseObject is IDictionary d)
                return d.Keys.Cast<object>().Select(KeyText).ToList();
            return obj.Properties.Where(p => p.IsGettable && IsData(p)).Select(p => p.Name).ToList();
        }

        /// <summary>The cells of an input object, as name and plain value: an IDictionary's entries, else its data properties.</summary>
        public static IEnumerable<KeyValuePair<string, object>> CellsOf(PSObject obj)
        {
            if (obj.BaseObject is IDictionary d)
            {
                foreach (DictionaryEntry e in d)
                    yield return new KeyValuePair<string, object>(KeyText(e.Key), ToPlain(e.Value, false));
                yield break;
            }
            foreach (var p in obj.Properties)
            {
                if (!p.IsGettable || !IsData(p)) continue;
                yield return new KeyValuePair<string, object>(p.Name, ToPlain(p.Value, false));
            }
        }

        /// <summary>
        /// A bulk write result (Get-ZcrmBulkWriteResult's object, also after Select-Object, Export-Clixml or Export-Csv /
        /// Import-Csv): it carries the type name, or all of RowNumber, Status, RecordId, Errors and JobId.
        /// </summary>
        public static bool IsBulkWriteResult(PSObject obj)
        {
            if (obj.BaseObject is IDictionary) return false;
            foreach (var t in obj.TypeNames)
                if (t.EndsWith("ZohoCrm.BulkWriteResultRow", StringComparison.OrdinalIgnoreCase)) return true;
            return new[] { "RowNumber", "Status", "RecordId", "Errors", "JobId" }.All(n => obj.Properties[n] != null);
        }

        /// <summary>A result row sent again: its input columns (Input_Status back to Status), without the result's own properties.</summary>
        public static List<string> InputColumnsOf(PSObject result) =>
            ColumnsOf(result).Select(BulkWrite.BulkWriteResultRow.ColumnOf).Where(c => c != null).ToList();

        /// <summary>The cells of a result row sent again: as <see cref="InputColumnsOf"/>.</summary>
        public static IEnumerable<KeyValuePair<string, object>> InputCellsOf(PSObject result)
        {
            foreach (var cell in CellsOf(result))
            {
                string column = BulkWrite.BulkWriteResultRow.ColumnOf(cell.Key);
                if (column != null) yield return new KeyValuePair<string, object>(column, cell.Value);
            }
        }

        private const System.Reflection.BindingFlags Internal = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;

        /// <summary>
        /// A [pscustomobject]'s own members as the runtime keeps them (PSObject.InstanceMembers' ordered table), read
        /// without PowerShell's member integration and its lock per object; null where the runtime is laid out otherwise.
        /// </summary>
        private static readonly Func<PSObject, OrderedDictionary> InstanceMembers = ReadInternal<OrderedDictionary>("InstanceMembers", "_members", "members");

        /// <summary>
        /// The object's type names as the runtime keeps them: one instance shared by every plain [pscustomobject] (until
        /// something reads obj.TypeNames, which gives the object a copy of its own).
        /// </summary>
        private static readonly Func<PSObject, object> InternalTypeNames = ReadInternal<object>("_typeNames");

        /// <summary>A compiled read of one of PSObject's internal properties or fields (and a field of that); null if the runtime has no such member.</summary>
        internal static Func<PSObject, T> ReadInternal<T>(string member, params string[] fields)
        {
            try
            {
                var info = (System.Reflection.MemberInfo)typeof(PSObject).GetProperty(member, Internal) ?? typeof(PSObject).GetField(member, Internal);
                if (info == null) return null;
                var obj = System.Linq.Expressions.Expression.Parameter(typeof(PSObject), "obj");
                System.Linq.Expressions.Expression read = System.Linq.Expressions.Expression.MakeMemberAccess(obj, info);
                if (fields.Length > 0)
                {
                    var field = fields.Select(f => read.Type.GetField(f, Internal)).FirstOrDefault(f => f != null);
                    if (field == null) return null;
                    read = System.Linq.Expressions.Expression.Field(read, field);
                }
                if (!typeof(T).IsAssignableFrom(read.Type)) return null;
                return System.Linq.Expressions.Expression.Lambda<Func<PSObject, T>>(System.Linq.Expressions.Expression.Convert(read, typeof(T)), obj).Compile();
            }
            catch (Exception) { return null; }
        }

        /// <summary>The type names of a row, compared by reference: rows of one kind share them (null when they cannot be read).</summary>
        internal static object TypeNamesOf(PSObject obj) => InternalTypeNames?.Invoke(obj);

        /// <summary>
        /// The cells of a [pscustomobject] that holds only note properties itself, in order; null for any other row (a
        /// member added with Add-Member of another kind, another base object, a runtime laid out otherwise).
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static List<KeyValuePair<string, object>> OwnNoteCells(PSObject obj)
        {
            if (InstanceMembers == null || !(obj.BaseObject is PSCustomObject)) return null;
            var members = InstanceMembers(obj);
            if (members == null) return null;
            int count = members.Count;
            var cells = new List<KeyValuePair<string, object>>(count);
            // By index: the table's enumerator boxes an entry per member.
            for (int i = 0; i < count; i++)
            {
                if (!(members[i] is PSNoteProperty note)) return null;
                object value = note.Value;
                cells.Add(new KeyValuePair<string, object>(note.Name, value is string ? value : ToPlain(value, false)));
            }
            return cells;
        }

        private static string KeyText(object key) => Convert.ToString(key is PSObject p ? p.BaseObject : key, CultureInfo.InvariantCulture);

        private static bool IsData(PSPropertyInfo p) =>
            p.MemberType == PSMemberTypes.NoteProperty || p.MemberType == PSMemberTypes.Property || p.MemberType == PSMemberTypes.AliasProperty || p.MemberType == PSMemberTypes.ScriptProperty || p.MemberType == PSMemberTypes.CodeProperty;
    }

    /// <summary>
    /// The cells of one input's piped rows, read the fast way where it gives the same cells. PowerShell's member
    /// integration (obj.Properties) costs several times the rest of a row; a [pscustomobject] (Import-Csv,
    /// Select-Object, [pscustomobject]@{...}) holds its columns as its own note properties, which are read directly.
    /// That holds when the first row's own note properties are all its properties (no type data adds members), and
    /// for each later row of the same type names holding only note properties; any other row (hashtables, .NET
    /// objects, members added with Add-Member, other type names, results sent again) takes the full path. Whether the
    /// rows are bulk write results is decided by the first row.
    /// </summary>
    internal sealed class RowCells
    {
        private readonly bool _results;
        private readonly bool _fast;
        private readonly object _typeNames;

        public RowCells(PSObject first)
        {
            // Before IsBulkWriteResult: reading obj.TypeNames gives the object a copy of its own, shared with no other row.
            _typeNames = PowerShellValues.TypeNamesOf(first);
            _results = PowerShellValues.IsBulkWriteResult(first);
            var own = _results ? null : PowerShellValues.OwnNoteCells(first);
            _fast = own != null && _typeNames != null && own.Select(c => c.Key).SequenceEqual(PowerShellValues.CellsOf(first).Select(c => c.Key), StringComparer.Ordinal);
        }

        /// <summary>The rows are bulk write results (their input columns are sent).</summary>
        public bool Results => _results;

        [MethodImpl(Hot.Path)]
        public IEnumerable<KeyValuePair<string, object>> Of(PSObject row)
        {
            if (_results) return PowerShellValues.IsBulkWriteResult(row) ? PowerShellValues.InputCellsOf(row) : PowerShellValues.CellsOf(row);
            bool sameKind = _fast && ReferenceEquals(PowerShellValues.TypeNamesOf(row), _typeNames);
            return (sameKind ? PowerShellValues.OwnNoteCells(row) : null) ?? PowerShellValues.CellsOf(row);
        }
    }
}
