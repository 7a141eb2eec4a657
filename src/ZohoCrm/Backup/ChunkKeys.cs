using System;
using System.Collections.Generic;
using System.Linq;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Backup
{
    /// <summary>What a bulk write chunk will change: the fields it sets and the -FindBy values of its rows (read back from its ZIP).</summary>
    internal sealed class ChunkKeys
    {
        public IReadOnlyList<string> Fields { get; private set; }
        public IReadOnlyList<string> Keys { get; private set; }

        /// <param name="mappings">-FieldMapping as sent, or null: then the header's names are the fields.</param>
        public static ChunkKeys Read(BulkChunk chunk, IReadOnlyList<FieldMappingSpec> mappings, string findBy)
        {
            // The job file as written (the key column first): the same reader the results' whole rows come from.
            var input = InputRows.FromChunk(chunk.ZipPath, chunk.FirstRow, null);
            var header = input.Header.ToList();
            int key;
            List<string> fields;
            if (mappings != null)
            {
                var keyMapping = mappings.FirstOrDefault(m => string.Equals(m.ApiName, findBy, StringComparison.Ordinal) && m.Index.HasValue);
                key = keyMapping?.Index ?? -1;
                fields = mappings.Select(m => m.ApiName).Where(a => !string.Equals(a, findBy, StringComparison.Ordinal)).Distinct().ToList();
            }
            else
            {
                key = header.IndexOf(findBy);
                fields = header.Where(h => !string.Equals(h, findBy, StringComparison.Ordinal)).ToList();
            }
            if (key < 0)
                throw new ZohoValidationException("ZohoCrm.BackupNoKey", $"-BackupPath needs the -FindBy field '{findBy}' among the columns sent, to know which records the rows change.", "BackupPath");
            if (fields.Count > RecordBackup.MaxFields)
                throw new ZohoValidationException("ZohoCrm.BackupTooManyFields", $"-BackupPath reads at most {RecordBackup.MaxFields} fields a record; these rows set {fields.Count}.", "BackupPath");
            var keys = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in input.Rows)
                if (key < row.Length && row[key].Length > 0 && seen.Add(row[key])) keys.Add(row[key]);
            return new ChunkKeys { Fields = fields, Keys = keys };
        }
    }
}
