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
        /// <summary>The properties a result object adds to its input row's columns (they are not uploaded when the row is sent again).</summary>
        public static readonly string[] OwnProperties = { "RowNumber", "Status", "RecordId", "Errors", "ErrorCodes", "ErrorFields", "JobId", "SourcePath" };

        /// <summary>An input column named like one of <see cref="OwnProperties"/> is kept as Input_&lt;name&gt;.</summary>
        public const string InputPrefix = "Input_";

        /// <summary>The property name a result object gives an input column.</summary>
        public static string PropertyOf(string column) =>
            OwnProperties.Contains(column, StringComparer.OrdinalIgnoreCase) ? InputPrefix + column : column;

        /// <summary>The input column a result object's property holds, or null for the result's own properties.</summary>
        public static string ColumnOf(string property)
        {
            if (OwnProperties.Contains(property, StringComparer.OrdinalIgnoreCase)) return null;
            if (property.StartsWith(InputPrefix, StringComparison.OrdinalIgnoreCase) && OwnProperties.Contains(property.Substring(InputPrefix.Length), StringComparer.OrdinalIgnoreCase))
                return property.Substring(InputPrefix.Length);
            return property;
        }

        /// <summary>Status of an input row that Zoho's result has no row for: it may or may not have been written.</summary>
        public const string UnknownStatus = "unknown";

        public long RowNumber { get; set; }
        /// <summary>The echoed columns in order; a repeated name gets _2, _3...</summary>
        public List<KeyValuePair<string, string>> Columns { get; } = new List<KeyValuePair<string, string>>();
        /// <summary>added, updated, skipped... (lower case).</summary>
        public string Status { get; set; }
        public string RecordId { get; set; }
        public string Errors { get; set; }
        public string JobId { get; set; }

        /// <summary>The codes in Errors, in order, without repeats: "MANDATORY_NOT_FOUND, DUPLICATE_DATA".</summary>
        public string ErrorCodes => Parsed.Codes;
        /// <summary>The fields named in Errors, in order, without repeats: "Company, Last_Name, Email".</summary>
        public string ErrorFields => Parsed.Fields;

        private (string Codes, string Fields)? _parsed;
        private (string Codes, string Fields) Parsed => _parsed ?? (_parsed = ParsedErrors()).Value;

        /// <summary>
        /// Zoho's ERRORS text: codes joined by ':', each followed by '-' and its columns joined by ','
        /// ("MANDATORY_NOT_FOUND-Company,Last_Name:DUPLICATE_DATA-Email"; zoho-api.md section 4).
        /// </summary>
        internal (string Codes, string Fields) ParsedErrors()
        {
            if (string.IsNullOrEmpty(Errors)) return (null, null);
            var codes = new List<string>();
            var fields = new List<string>();
            foreach (var part in Errors.Split(':'))
            {
                int dash = part.IndexOf('-');
                string code = (dash < 0 ? part : part.Substring(0, dash)).Trim();
                if (code.Length > 0 && !codes.Contains(code)) codes.Add(code);
                if (dash < 0) continue;
                foreach (var f in part.Substring(dash + 1).Split(','))
                    if (f.Trim().Length > 0 && !fields.Contains(f.Trim())) fields.Add(f.Trim());
            }
            return (codes.Count == 0 ? null : string.Join(", ", codes), fields.Count == 0 ? null : string.Join(", ", fields));
        }
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
                    var echoed = Enumerable.Range(0, header.Count).Where(i => i != status && i != recordId && i != errors).ToArray();
                    // The echoed columns' names, once per file (a repeated name gets _2, _3...).
                    var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "RowNumber" };
                    var names = echoed.Select(i => UniqueName(taken, header[i])).ToArray();
                    long row = firstRow;
                    List<string> record;
                    while ((record = reader.ReadRecord()) != null)
                    {
                        if (record.Count == 1 && record[0].Length == 0) continue;
                        var o = new BulkWriteResultRow { RowNumber = row++ };
                        for (int c = 0; c < echoed.Length; c++)
                            o.Columns.Add(new KeyValuePair<string, string>(names[c], echoed[c] < record.Count ? record[echoed[c]] : null));
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

        /// <summary>Zoho's own columns come last, after the echoed ones (which may have the same names: an input column "Status").</summary>
        private static int IndexOf(List<string> header, string name) => header.FindLastIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        private static string Cell(List<string> record, int i) => i >= 0 && i < record.Count ? record[i] : null;
        private static string NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;
    }
}
