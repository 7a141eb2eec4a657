using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;

namespace ZohoCrm.Backup
{
    /// <summary>
    /// The before-image of a change: before records are changed, their current values of the fields the change sets
    /// are read from Zoho (GET /crm/{v}/{Module}?ids=..&amp;fields=.., 100 ids a call) and appended to a CSV whose columns
    /// are <c>id</c> and those fields: itself the input of <c>New-ZcrmBulkWriteJob -Operation update -FindBy id</c>,
    /// which puts the values back. Each batch is on disk (flushed to the device) before the change that needs it is sent.
    /// </summary>
    internal sealed class RecordBackup : IDisposable
    {
        public const int MaxIdsPerRead = 100;
        /// <summary>Zoho reads at most 50 fields a call; one is the id.</summary>
        public const int MaxFields = 49;
        private readonly Connection _connection;
        private readonly string _module;
        private readonly IReadOnlyList<string> _fields;
        private readonly FileStream _file;
        private readonly StreamWriter _writer;

        /// <summary>Creates the file (it must not exist: an earlier backup is never overwritten) and writes the header.</summary>
        public RecordBackup(Connection connection, string module, IReadOnlyList<string> fields, string path)
        {
            _connection = connection;
            _module = module;
            _fields = fields.Where(f => !string.Equals(f, "id", StringComparison.OrdinalIgnoreCase)).ToList();
            Path = path;
            // New and user-only before a value is in it (the values are customer data).
            FileModes.CreateUserOnly(path, mustBeNew: true);
            _file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            _writer = new StreamWriter(_file, new UTF8Encoding(false));
            Csv.WriteRow(_writer, new[] { "id" }.Concat(_fields).ToList());
            Flush();
        }

        public string Path { get; }
        public IReadOnlyList<string> Fields => _fields;
        /// <summary>Records saved so far.</summary>
        public long Count { get; private set; }

        /// <summary>Reads the records' current values and appends them; an id Zoho does not know has no line.</summary>
        public async Task SaveAsync(IReadOnlyList<string> ids, CancellationToken ct)
        {
            for (int i = 0; i < ids.Count; i += MaxIdsPerRead)
            {
                var part = ids.Skip(i).Take(MaxIdsPerRead).ToList();
                var rows = await ReadAsync(part, ct).ConfigureAwait(false);
                foreach (var row in rows) Csv.WriteRow(_writer, row);
                Count += rows.Count;
            }
            Flush();
        }

        /// <summary>The records a bulk write finds by <paramref name="findBy"/> (id, or a unique field) with these values.</summary>
        public Task SaveByKeyAsync(string findBy, IReadOnlyList<string> keys, CancellationToken ct) =>
            string.Equals(findBy, "id", StringComparison.OrdinalIgnoreCase) ? SaveAsync(keys, ct) : SaveByAsync(findBy, keys, ct);

        /// <summary>
        /// The same, for records found by a unique field's values (bulk write -FindBy Email): COQL
        /// <c>select id, fields from Module where FindBy in ('a', ...)</c>, 50 values a call. A value no record holds
        /// has no line (an upsert inserts it: the run's results name the record it made).
        /// </summary>
        public async Task SaveByAsync(string findBy, IReadOnlyList<string> values, CancellationToken ct)
        {
            for (int i = 0; i < values.Count; i += MaxValuesPerQuery)
            {
                var part = values.Skip(i).Take(MaxValuesPerQuery).ToList();
                string select = "select " + string.Join(", ", new[] { "id" }.Concat(_fields)) + " from " + _module + " where " + findBy +
                                " in (" + string.Join(", ", part.Select(Quote)) + ") limit " + MaxRecordsPerQuery.ToString(CultureInfo.InvariantCulture);
                // A read: repeating it changes nothing.
                var request = new ZohoRequest(HttpMethod.Post, _connection.CrmUrl("coql"))
                {
                    Idempotent = true,
                    Content = Json.Body(w => w.WriteString("select_query", select)),
                };
                var rows = Rows(await _connection.Client.SendAsync(request, ct).ConfigureAwait(false));
                foreach (var row in rows) Csv.WriteRow(_writer, row);
                Count += rows.Count;
            }
            Flush();
        }

        public const int MaxValuesPerQuery = 50;
        private const int MaxRecordsPerQuery = 2000;

        /// <summary>A COQL string literal: quotes and backslashes escaped.</summary>
        internal static string Quote(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

        private async Task<List<List<string>>> ReadAsync(IReadOnlyList<string> ids, CancellationToken ct)
        {
            string query = "?ids=" + string.Join(",", ids) + "&fields=" + string.Join(",", _fields.Select(Uri.EscapeDataString));
            var url = _connection.CrmUrl(Uri.EscapeDataString(_module) + query);
            return Rows(await _connection.Client.SendAsync(new ZohoRequest(HttpMethod.Get, url) { Idempotent = true }, ct).ConfigureAwait(false));
        }

        /// <summary>The records of a read's answer as backup lines (id, then the fields); 204 is none.</summary>
        private List<List<string>> Rows(ZohoResponse response)
        {
            var rows = new List<List<string>>();
            if (response.StatusCode == 204) return rows; // none of these ids is a record
            using (var doc = response.EnsureSuccess())
            {
                if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) throw response.Unrecognised();
                foreach (var record in data.EnumerateArray())
                {
                    string id = Json.GetString(record, "id");
                    if (id == null) throw response.Unrecognised();
                    var row = new List<string> { id };
                    foreach (var f in _fields) row.Add(record.TryGetProperty(f, out var v) ? Cell(v) : "");
                    rows.Add(row);
                }
            }
            return rows;
        }

        /// <summary>A field's value as a bulk write cell: text as is, a multi-select's values joined by ';', a lookup or user by its id, null empty.</summary>
        internal static string Cell(JsonElement v)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.Null:
                case JsonValueKind.Undefined: return "";
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.True: return "true";
                case JsonValueKind.False: return "false";
                case JsonValueKind.Number: return v.GetRawText();
                case JsonValueKind.Object: return Json.GetString(v, "id") ?? v.GetRawText();
                case JsonValueKind.Array: return string.Join(";", v.EnumerateArray().Select(Cell));
                default: return v.GetRawText();
            }
        }

        private void Flush()
        {
            _writer.Flush();
            _file.Flush(true);
        }

        /// <summary>Where an upsert's inserted records are listed: &lt;backup name&gt;.inserted.csv beside the backup.</summary>
        public static string InsertedPath(string backupPath) =>
            System.IO.Path.Combine(System.IO.Path.GetDirectoryName(backupPath) ?? "", System.IO.Path.GetFileNameWithoutExtension(backupPath) + ".inserted.csv");

        /// <summary>
        /// The records an upsert inserted (result rows with Status added), by id, in <see cref="InsertedPath"/> (user-only):
        /// undoing an upsert is putting the backup back and deleting these. Returns how many.
        /// </summary>
        public async Task<long> SaveInsertedAsync(BulkWriteService service, IReadOnlyList<ZohoCrm.BulkWriteJob> jobs, CancellationToken ct)
        {
            string path = InsertedPath(Path);
            if (File.Exists(path)) File.Delete(path); // this run's own, from a job of an earlier call: the list is made again whole
            FileModes.CreateUserOnly(path, mustBeNew: true);
            long n = 0;
            using (var writer = new StreamWriter(new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)))
            {
                Csv.WriteRow(writer, new[] { "id" });
                foreach (var job in jobs.Where(j => j.HasResult))
                {
                    string temp = TempFiles.Create("result");
                    try
                    {
                        await service.DownloadJobResultAsync(job, temp, ct).ConfigureAwait(false);
                        foreach (var row in BulkWriteResults.Read(temp, 1, job.JobId))
                        {
                            if (row.Status != "added" || row.RecordId == null) continue;
                            Csv.WriteRow(writer, new[] { row.RecordId });
                            n++;
                        }
                    }
                    finally { ChunkWriter.TryDelete(temp); }
                }
                writer.Flush();
                ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
            }
            return n;
        }

        public void Dispose() => _writer.Dispose();
    }
}
