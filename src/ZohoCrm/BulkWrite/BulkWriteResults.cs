using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace ZohoCrm.BulkWrite
{
    /// <summary>One row of a bulk write job's result: its number in the input, the columns Zoho echoes, the outcome.</summary>
    internal sealed class BulkWriteResultRow
    {
        public long RowNumber { get; set; }
        /// <summary>The echoed columns in order; a repeated name gets _2, _3...</summary>
        public List<KeyValuePair<string, string>> Columns { get; } = new List<KeyValuePair<string, string>>();
        /// <summary>added, updated, skipped... (lower case).</summary>
        public string Status { get; set; }
        public string RecordId { get; set; }
        public string Errors { get; set; }
        public string JobId { get; set; }
    }

    internal static class BulkWriteResults
    {
        /// <summary>The file is a ZIP whose entries can be listed.</summary>
        public static bool IsReadable(string zipPath)
        {
            try
            {
                using (var zip = ZipFile.OpenRead(zipPath)) return zip.Entries.Count > 0;
            }
            catch (InvalidDataException) { return false; }
        }

        /// <summary>The rows of a result file, numbered from <paramref name="firstRow"/>; blank lines are skipped.</summary>
        public static IEnumerable<BulkWriteResultRow> Read(string zipPath, long firstRow, string jobId)
        {
            using (var zip = ZipFile.OpenRead(zipPath))
            {
                var entries = zip.Entries.Where(e => e.FullName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).ToList();
                if (entries.Count != 1)
                    throw new ZohoClientException("ZohoCrm.InvalidResult", $"The result of job {jobId} should hold one CSV file; it holds {entries.Count}.", ZohoErrorKind.InvalidResult);
                // Bounding what Zoho's answer may hold is the HTTP answer's business (the download's size cap), not this reader's.
                using (var reader = new CsvReader(new StreamReader(entries[0].Open(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true), maxRecordChars: int.MaxValue))
                {
                    var header = reader.ReadRecord();
                    if (header == null) yield break;
                    int status = IndexOf(header, "STATUS"), recordId = IndexOf(header, "RECORD_ID"), errors = IndexOf(header, "ERRORS");
                    if (status < 0)
                        throw new ZohoClientException("ZohoCrm.InvalidResult", $"The result of job {jobId} has no STATUS column (columns: {string.Join(", ", header)}).", ZohoErrorKind.InvalidResult);
                    var echoed = Enumerable.Range(0, header.Count).Where(i => i != status && i != recordId && i != errors).ToList();
                    long row = firstRow;
                    List<string> record;
                    while ((record = reader.ReadRecord()) != null)
                    {
                        if (record.Count == 1 && record[0].Length == 0) continue;
                        var o = new BulkWriteResultRow { RowNumber = row++ };
                        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "RowNumber" };
                        foreach (int i in echoed)
                            o.Columns.Add(new KeyValuePair<string, string>(UniqueName(names, header[i]), i < record.Count ? record[i] : null));
                        o.Status = Cell(record, status)?.ToLowerInvariant();
                        o.RecordId = NullIfEmpty(Cell(record, recordId));
                        o.Errors = NullIfEmpty(Cell(record, errors));
                        o.JobId = jobId;
                        yield return o;
                    }
                }
            }
        }

        /// <summary>The column's name, or name_2, name_3... if an earlier one took it (ignoring case).</summary>
        private static string UniqueName(HashSet<string> taken, string name)
        {
            string candidate = name;
            for (int n = 2; taken.Contains(candidate); n++) candidate = name + "_" + n;
            taken.Add(candidate);
            return candidate;
        }

        private static int IndexOf(List<string> header, string name) => header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        private static string Cell(List<string> record, int i) => i >= 0 && i < record.Count ? record[i] : null;
        private static string NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;
    }
}
