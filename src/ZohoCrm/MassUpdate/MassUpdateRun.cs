using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ZohoCrm.Http;
using ZohoCrm.Runs;

namespace ZohoCrm.MassUpdate
{
    /// <summary>A batch of a run: the index of its first and last id in the run's id list, and how far it got.</summary>
    internal sealed class MassUpdateRunBatch
    {
        /// <summary>Written before the call: if the run stops here, whether Zoho applied the batch is unknown.</summary>
        public const string Sending = "sending";
        /// <summary>Its results are in the results file.</summary>
        public const string Done = "done";
        /// <summary>The call failed (reported then); not done.</summary>
        public const string Failed = "failed";
        /// <summary>Not sent: -Confirm was answered No (or the call was never made).</summary>
        public const string Declined = "declined";
        internal static readonly string[] States = { Sending, Done, Failed, Declined };

        public int First { get; set; }
        public int Last { get; set; }
        public string State { get; set; }
        public int Count => Last - First + 1;
    }

    /// <summary>
    /// The bookkeeping of a resumable mass update by ids (-RunPath), in a <see cref="RunFolder"/>: the manifest
    /// (run.json: what is sent and each batch's state, rewritten atomically at each step), the ids as they arrive
    /// (ids.txt, one a line, flushed before a batch that holds them is sent) and each batch's per-id results
    /// (results.jsonl, one JSON object a line, flushed to the device before the batch is marked done). No secret is
    /// written: the connection is kept by its API domain only.
    /// </summary>
    internal sealed class MassUpdateRun : IDisposable
    {
        public const string Kind = "mass-update";
        public const int FormatVersion = 1;
        public const string IdsName = "ids.txt";
        public const string ResultsName = "results.jsonl";

        private readonly RunFolder _folder;
        private readonly List<MassUpdateRunBatch> _batches = new List<MassUpdateRunBatch>();
        /// <summary>The ids of the run, in input order (recorded by this command, or read back on resume).</summary>
        private readonly List<string> _ids = new List<string>();
        /// <summary>Results read back on resume: batch number -> that batch's results.</summary>
        private readonly Dictionary<int, List<MassUpdateResult>> _savedResults = new Dictionary<int, List<MassUpdateResult>>();
        private FileStream _idsFile;
        private FileStream _resultsFile;
        /// <summary>On resume: the bytes of results.jsonl up to its last whole line (a line cut by a crash is dropped before appending).</summary>
        private long _resultsValidLength = -1;
        private readonly DateTimeOffset _createdTime;

        private MassUpdateRun(RunFolder folder, string module, string dataJson, bool overWrite, int batchSize, string apiDomain, DateTimeOffset createdTime)
        {
            _folder = folder;
            Module = module;
            DataJson = dataJson;
            OverWrite = overWrite;
            BatchSize = batchSize;
            ApiDomain = apiDomain;
            _createdTime = createdTime;
        }

        public string Path => _folder.Path;
        public string Module { get; }
        /// <summary>The field values as sent in data[0] (MassUpdateService.DataJson).</summary>
        public string DataJson { get; }
        public bool OverWrite { get; }
        public int BatchSize { get; }
        public string ApiDomain { get; }
        /// <summary>The command read its input to the end (false: the process ended while ids were still arriving).</summary>
        public bool InputComplete { get; private set; }
        public IReadOnlyList<MassUpdateRunBatch> Batches => _batches;
        public IReadOnlyList<string> Ids => _ids;
        /// <summary>How many of the ids are in a batch (the batches cover ids 0 .. BatchedCount-1).</summary>
        public int BatchedCount => _batches.Count == 0 ? 0 : _batches[_batches.Count - 1].Last + 1;

        /// <summary>A new run in <paramref name="path"/> (RunFolder.Create: a folder that holds a run is refused); its manifest is written at once.</summary>
        public static MassUpdateRun Create(string path, string module, string dataJson, bool overWrite, int batchSize, string apiDomain)
        {
            var folder = RunFolder.Create(path, "RunPath");
            try
            {
                var run = new MassUpdateRun(folder, module, dataJson, overWrite, batchSize, apiDomain, DateTimeOffset.UtcNow);
                run.Write(() =>
                {
                    run._idsFile = OpenAppend(folder.NewFile(IdsName));
                    run._resultsFile = OpenAppend(folder.NewFile(ResultsName));
                });
                run.WriteManifest();
                return run;
            }
            catch
            {
                folder.Dispose();
                throw;
            }
        }

        /// <summary>An existing run (RunFolder.Open: one in use by a live process is refused), read and checked; ZohoCrm.InvalidRun names the file that is wrong.</summary>
        public static MassUpdateRun Open(string path)
        {
            var folder = RunFolder.Open(path, "RunPath");
            try
            {
                var run = ReadManifest(folder);
                run.ReadIds();
                run.ReadResults();
                return run;
            }
            catch
            {
                folder.Dispose();
                throw;
            }
        }

        /// <summary>An id as it arrives (buffered; flushed before a batch that holds it is sent).</summary>
        public void AddId(string id)
        {
            _ids.Add(id);
            byte[] line = Encoding.UTF8.GetBytes(id + "\n");
            Write(() => _idsFile.Write(line, 0, line.Length));
        }

        /// <summary>The input ended: every id is on disk and the manifest says so.</summary>
        public void EndInput()
        {
            Write(() => _idsFile?.Flush(flushToDisk: true));
            InputComplete = true;
            WriteManifest();
        }

        /// <summary>
        /// A new batch of the next <paramref name="count"/> ids not yet in a batch, in <paramref name="state"/>
        /// (Sending: its ids are flushed to the device first, then the manifest says so, before the call). Its number.
        /// </summary>
        public int AddBatch(int count, string state)
        {
            int first = BatchedCount;
            if (count < 1 || first + count > _ids.Count) throw new ArgumentOutOfRangeException(nameof(count));
            Write(() => _idsFile?.Flush(flushToDisk: true));
            _batches.Add(new MassUpdateRunBatch { First = first, Last = first + count - 1, State = state });
            WriteManifest();
            return _batches.Count - 1;
        }

        public IReadOnlyList<string> IdsOf(int batch)
        {
            var b = _batches[batch];
            return _ids.GetRange(b.First, b.Count);
        }

        /// <summary>The state of a batch, written to the manifest at once.</summary>
        public void SetState(int batch, string state)
        {
            _batches[batch].State = state;
            WriteManifest();
        }

        /// <summary>The batch's results are appended to the results file and flushed to the device, then the batch is marked done.</summary>
        public void Done(int batch, IReadOnlyList<MassUpdateResult> results)
        {
            byte[] bytes = ResultLines(batch, results);
            Write(() =>
            {
                if (_resultsFile == null)
                {
                    _resultsFile = new FileStream(_folder.FilePath(ResultsName), FileMode.Open, FileAccess.Write, FileShare.Read);
                    _resultsFile.SetLength(_resultsValidLength);
                    _resultsFile.Seek(0, SeekOrigin.End);
                }
                _resultsFile.Write(bytes, 0, bytes.Length);
                _resultsFile.Flush(flushToDisk: true);
            });
            _savedResults[batch] = results.ToList();
            SetState(batch, MassUpdateRunBatch.Done);
        }

        /// <summary>The results of a batch that is done (read back from the results file, or recorded by this command).</summary>
        public IReadOnlyList<MassUpdateResult> ResultsOf(int batch) => _savedResults[batch];

        /// <summary>
        /// The command ended before a batch was sent (the checks refused -Data): the run's files are deleted, so there is no
        /// run to resume and the folder can be used again. False, and nothing deleted, once a batch exists.
        /// </summary>
        public bool DiscardIfNothingSent()
        {
            if (_batches.Count > 0) return false;
            _idsFile?.Dispose();
            _resultsFile?.Dispose();
            _idsFile = null;
            _resultsFile = null;
            foreach (var name in new[] { IdsName, ResultsName, RunFolder.ManifestName })
            {
                try { File.Delete(_folder.FilePath(name)); }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { }
            }
            return true;
        }

        public void Dispose()
        {
            _idsFile?.Dispose();
            _resultsFile?.Dispose();
            _folder.Dispose();
        }

        private static FileStream OpenAppend(string path) => new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);

        /// <summary>A file of the run could not be written: the command ends (what is on disk still describes the run truly).</summary>
        private void Write(Action write)
        {
            try { write(); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is PlatformNotSupportedException)
            {
                throw new ZohoValidationException("ZohoCrm.RunWriteFailed",
                    $"The run in '{_folder.Path}' could not be written ({ex.Message}); nothing more is sent. What the run records so far is true: resume it with Resume-ZcrmMassUpdateRun -RunPath '{_folder.Path}' once the folder can be written.",
                    "RunPath", ZohoErrorKind.WriteError);
            }
        }

        private void WriteManifest()
        {
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("kind", Kind);
                w.WriteNumber("formatVersion", FormatVersion);
                w.WriteString("module", Module);
                w.WriteString("apiDomain", ApiDomain);
                w.WritePropertyName("data");
                w.WriteRawValue(DataJson);
                w.WriteBoolean("overWrite", OverWrite);
                w.WriteNumber("batchSize", BatchSize);
                w.WriteString("createdTime", _createdTime.ToString("o", CultureInfo.InvariantCulture));
                w.WriteBoolean("inputComplete", InputComplete);
                w.WritePropertyName("batches");
                w.WriteStartArray();
                foreach (var b in _batches)
                {
                    w.WriteStartObject();
                    w.WriteNumber("first", b.First);
                    w.WriteNumber("last", b.Last);
                    w.WriteString("state", b.State);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            byte[] bytes = buffer.ToArray();
            Write(() => _folder.WriteManifest(bytes));
        }

        private static MassUpdateRun ReadManifest(RunFolder folder)
        {
            string file = folder.ManifestPath;
            Exception Invalid(string what) => new ZohoValidationException("ZohoCrm.InvalidRun",
                $"The run manifest '{file}' is not a mass update run this module can resume: {what}. Nothing was sent.", "RunPath", ZohoErrorKind.InvalidData);
            JsonDocument doc;
            try { doc = JsonDocument.Parse(folder.ReadManifest()); }
            catch (JsonException ex) { throw Invalid($"it is not valid JSON ({ex.Message})"); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Invalid("it is not a JSON object");
                string kind = Json.GetString(root, "kind");
                if (kind != Kind) throw Invalid(kind == null ? "it has no kind" : $"it is a run of kind '{kind}', not '{Kind}'");
                long? version = Json.GetInt64(root, "formatVersion");
                if (version != FormatVersion) throw Invalid($"its format version is {(version.HasValue ? version.Value.ToString(CultureInfo.InvariantCulture) : "missing")}; this module reads version {FormatVersion}");
                string module = Json.GetString(root, "module");
                if (!InputRules.IsModuleName(module)) throw Invalid("its module is missing or not a module name");
                string apiDomain = Json.GetString(root, "apiDomain");
                if (string.IsNullOrEmpty(apiDomain)) throw Invalid("it has no apiDomain");
                if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) throw Invalid("its data is missing or not an object");
                var fields = data.EnumerateObject().Select(p => p.Name).ToList();
                if (fields.Count == 0 || fields.Count > MassUpdateService.FieldLimit(module) || !fields.All(InputRules.IsFieldName))
                    throw Invalid("its data does not hold a field a mass update can set");
                bool overWrite = Bool(root, "overWrite") ?? throw Invalid("overWrite is missing");
                bool inputComplete = Bool(root, "inputComplete") ?? throw Invalid("inputComplete is missing");
                long? batchSize = Json.GetInt64(root, "batchSize");
                if (batchSize == null || batchSize < 1 || batchSize > MassUpdateService.MaxIdsPerCall) throw Invalid("its batchSize is missing or not 1 to 500");
                var created = Json.GetDate(root, "createdTime") ?? DateTimeOffset.MinValue;
                var run = new MassUpdateRun(folder, module, data.GetRawText(), overWrite, (int)batchSize.Value, apiDomain, created) { InputComplete = inputComplete };
                if (!root.TryGetProperty("batches", out var batches) || batches.ValueKind != JsonValueKind.Array) throw Invalid("its batches are missing");
                foreach (var b in batches.EnumerateArray())
                {
                    long? first = Json.GetInt64(b, "first"), last = Json.GetInt64(b, "last");
                    string state = Json.GetString(b, "state");
                    int n = run._batches.Count;
                    if (first != run.BatchedCount || last == null || last < first || last - first + 1 > MassUpdateService.MaxIdsPerCall || last > int.MaxValue - 1)
                        throw Invalid($"batch {n + 1} does not follow the one before it (first {first?.ToString(CultureInfo.InvariantCulture) ?? "missing"}, last {last?.ToString(CultureInfo.InvariantCulture) ?? "missing"})");
                    if (!MassUpdateRunBatch.States.Contains(state)) throw Invalid($"batch {n + 1} has the state '{state}'");
                    run._batches.Add(new MassUpdateRunBatch { First = (int)first.Value, Last = (int)last.Value, State = state });
                }
                return run;
            }
        }

        private static bool? Bool(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False) ? v.GetBoolean() : (bool?)null;

        /// <summary>The ids file, up to its last whole line (a line cut by the end of the process is not an id of the run).</summary>
        private void ReadIds()
        {
            string file = _folder.FilePath(IdsName);
            string text = ReadRunFile(file);
            int end = text.LastIndexOf('\n');
            int lineNumber = 0;
            foreach (var id in end < 0 ? new string[0] : text.Substring(0, end).Split('\n'))
            {
                lineNumber++;
                if (!InputRules.IsZohoId(id))
                    throw new ZohoValidationException("ZohoCrm.InvalidRun", $"The run's ids file '{file}' has a line that is not a record id (line {lineNumber}). Nothing was sent.", "RunPath", ZohoErrorKind.InvalidData);
                _ids.Add(id);
            }
            if (BatchedCount > _ids.Count)
                throw new ZohoValidationException("ZohoCrm.InvalidRun",
                    $"The run's ids file '{file}' has {_ids.Count} id(s) but the manifest's batches cover {BatchedCount}. Nothing was sent.", "RunPath", ZohoErrorKind.InvalidData);
        }

        /// <summary>The results file: for each batch that is done, its last results (a batch sent again appends anew), checked against its ids.</summary>
        private void ReadResults()
        {
            string file = _folder.FilePath(ResultsName);
            string text = ReadRunFile(file);
            int end = text.LastIndexOf('\n');
            _resultsValidLength = end < 0 ? 0 : Encoding.UTF8.GetByteCount(text.Substring(0, end + 1));
            var byBatch = new Dictionary<int, List<MassUpdateResult>>();
            int lineNumber = 0;
            foreach (var line in end < 0 ? new string[0] : text.Substring(0, end).Split('\n'))
            {
                lineNumber++;
                var (batch, result) = ParseResult(line, file, lineNumber);
                if (!byBatch.TryGetValue(batch, out var list)) byBatch[batch] = list = new List<MassUpdateResult>();
                list.Add(result);
            }
            for (int i = 0; i < _batches.Count; i++)
            {
                if (_batches[i].State != MassUpdateRunBatch.Done) continue;
                var ids = IdsOf(i);
                byBatch.TryGetValue(i, out var all);
                var results = all == null || all.Count < ids.Count ? null : all.GetRange(all.Count - ids.Count, ids.Count);
                if (results == null || !results.Select(r => r.Id).SequenceEqual(ids))
                    throw new ZohoValidationException("ZohoCrm.InvalidRun",
                        $"The run's results file '{file}' does not hold the results of batch {i + 1} (ids {_batches[i].First}-{_batches[i].Last}), which the manifest says is done. Nothing was sent.", "RunPath", ZohoErrorKind.InvalidData);
                _savedResults[i] = results;
            }
        }

        private static string ReadRunFile(string file)
        {
            try { return File.ReadAllText(file, new UTF8Encoding(false, true)); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is DecoderFallbackException)
            {
                throw new ZohoValidationException("ZohoCrm.InvalidRun", $"The run's file '{file}' could not be read: {ex.Message}", "RunPath", ZohoErrorKind.InvalidData);
            }
        }

        private byte[] ResultLines(int batch, IReadOnlyList<MassUpdateResult> results)
        {
            var buffer = new MemoryStream();
            foreach (var r in results)
            {
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteNumber("batch", batch);
                    w.WriteString("id", r.Id);
                    w.WriteString("status", r.Status);
                    w.WriteString("code", r.Code);
                    w.WriteString("message", r.Message);
                    w.WriteString("errorField", r.ErrorField);
                    w.WriteString("details", r.Details);
                    WriteDate(w, "modifiedTime", r.ModifiedTime);
                    w.WriteString("modifiedBy", r.ModifiedBy);
                    w.WriteString("modifiedById", r.ModifiedById);
                    WriteDate(w, "createdTime", r.CreatedTime);
                    w.WriteString("createdBy", r.CreatedBy);
                    w.WriteString("createdById", r.CreatedById);
                    w.WriteEndObject();
                }
                buffer.WriteByte((byte)'\n');
            }
            return buffer.ToArray();
        }

        private static void WriteDate(Utf8JsonWriter w, string name, DateTimeOffset? value)
        {
            if (value.HasValue) w.WriteString(name, value.Value.ToString("o", CultureInfo.InvariantCulture));
            else w.WriteNull(name);
        }

        private (int, MassUpdateResult) ParseResult(string line, string file, int lineNumber)
        {
            try
            {
                using (var doc = JsonDocument.Parse(line))
                {
                    var e = doc.RootElement;
                    long? batch = Json.GetInt64(e, "batch");
                    string id = Json.GetString(e, "id");
                    if (batch == null || batch < 0 || batch >= _batches.Count || id == null) throw new FormatException("no batch or id");
                    return ((int)batch.Value, new MassUpdateResult
                    {
                        Module = Module,
                        Id = id,
                        Status = Json.GetString(e, "status"),
                        Code = Json.GetString(e, "code"),
                        Message = Json.GetString(e, "message"),
                        ErrorField = Json.GetString(e, "errorField"),
                        Details = Json.GetString(e, "details"),
                        ModifiedTime = Json.GetDate(e, "modifiedTime"),
                        ModifiedBy = Json.GetString(e, "modifiedBy"),
                        ModifiedById = Json.GetString(e, "modifiedById"),
                        CreatedTime = Json.GetDate(e, "createdTime"),
                        CreatedBy = Json.GetString(e, "createdBy"),
                        CreatedById = Json.GetString(e, "createdById"),
                    });
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException)
            {
                throw new ZohoValidationException("ZohoCrm.InvalidRun", $"The run's results file '{file}' has a line that is not a result (line {lineNumber}). Nothing was sent.", "RunPath", ZohoErrorKind.InvalidData);
            }
        }
    }
}
