using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
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
            using (var zip = ZipFile.OpenRead(chunk.ZipPath))
            using (var csv = new CsvReader(new StreamReader(zip.Entries[0].Open(), new UTF8Encoding(false))))
            {
                var header = csv.ReadRecord() ?? new List<string>();
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
                List<string> row;
                while ((row = csv.ReadRecord()) != null)
                    if (key < row.Count && row[key].Length > 0 && seen.Add(row[key])) keys.Add(row[key]);
                return new ChunkKeys { Fields = fields, Keys = keys };
            }
        }
    }
}
