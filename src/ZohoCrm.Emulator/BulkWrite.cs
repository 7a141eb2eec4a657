using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>The state of a bulk write job (counts grow while it runs).</summary>
public sealed record BulkWriteJobSnapshot(
    string JobId,
    string Module,
    string Operation,
    string Status,
    string FileId,
    int TotalCount,
    int AddedCount,
    int UpdatedCount,
    int SkippedCount,
    string? FindBy,
    bool IgnoreEmpty,
    string? CallbackUrl);

/// <summary>
/// A bulk write callback the emulator made (<paramref name="Sent"/> true, with the answer's status code) or, for a
/// URL that is not loopback, would have made (<paramref name="Sent"/> false).
/// </summary>
public sealed record RecordedCallback(
    DateTimeOffset Time,
    string JobId,
    string Url,
    string Body,
    bool Sent,
    int? StatusCode,
    string? Error);

internal sealed class UploadedFile(string id, byte[] bytes, string createdTime)
{
    public string Id { get; } = id;
    public byte[] Bytes { get; } = bytes;
    public string CreatedTime { get; } = createdTime;

    /// <summary>Files are single-use: a second job on the same file gets FILE_NOT_SUPPORTED.</summary>
    public bool Used { get; set; }
}

/// <summary>One mapped column: where the value comes from (CSV index, default value) and which field it fills.</summary>
internal sealed class BulkColumn
{
    public required string ApiName { get; init; }

    /// <summary>Null for the record id ("id").</summary>
    public FieldSchema? Field { get; init; }

    /// <summary>-1 when only a default value is given.</summary>
    public int Index { get; init; } = -1;

    public string? Format { get; init; }
    public string? Default { get; init; }
}

internal sealed class BulkWriteJob
{
    public const string Added = "ADDED";
    public const string InProgress = "INPROGRESS";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";

    public required string Id { get; init; }
    public required ModuleData Module { get; init; }
    public required string Operation { get; init; }
    public required string FileId { get; init; }
    public required byte[] FileBytes { get; init; }
    public required string CsvEntry { get; init; }
    public required char Delimiter { get; init; }

    /// <summary>The request's character_encoding; null for UTF-8.</summary>
    public Encoding? Encoding { get; init; }
    public required int TotalCount { get; init; }
    public required IReadOnlyList<BulkColumn> Columns { get; init; }
    public required JsonArray FieldMappings { get; init; }
    public required int[] ResultColumns { get; init; }
    public required string[] ResultHeader { get; init; }
    public string? FindBy { get; init; }
    public BulkColumn? FindColumn { get; init; }
    public bool IgnoreEmpty { get; init; }
    public string? CallbackUrl { get; init; }
    public string? CallbackMethod { get; init; }
    public required string CreatedTime { get; init; }

    public string Status { get; set; } = Added;
    public int AddedCount { get; set; }
    public int UpdatedCount { get; set; }
    public int SkippedCount { get; set; }
    public int Processed { get; set; }

    /// <summary>The result ZIP, once the job has finished.</summary>
    public byte[]? Result { get; set; }

    public bool IsFinished => Status is Completed or Failed;
}

/// <summary>The outcome of one CSV row.</summary>
internal readonly record struct BulkRowResult(string Status, string RecordId, string Errors);

/// <summary>Collects row errors and formats them like Zoho: <c>MANDATORY_NOT_FOUND-Company,Last_Name:DUPLICATE_DATA-Email</c>.</summary>
internal sealed class BulkRowErrors
{
    private static readonly string[] Order = ["MANDATORY_NOT_FOUND", "INVALID_DATA", "DUPLICATE_DATA", "RESOURCE_NOT_FOUND"];
    private List<string>?[]? _fields;

    public bool Any => _fields is not null;

    public void Add(string code, string field)
    {
        _fields ??= new List<string>?[Order.Length];
        var i = Array.IndexOf(Order, code);
        var list = _fields[i] ??= new List<string>(2);
        if (!list.Contains(field))
        {
            list.Add(field);
        }
    }

    public bool Has(string code, string field) =>
        _fields?[Array.IndexOf(Order, code)] is { } list && list.Contains(field);

    public override string ToString()
    {
        if (_fields is null)
        {
            return "";
        }
        var sb = new StringBuilder();
        for (var i = 0; i < Order.Length; i++)
        {
            if (_fields[i] is not { } list)
            {
                continue;
            }
            list.Sort(StringComparer.Ordinal);
            if (sb.Length > 0)
            {
                sb.Append(':');
            }
            sb.Append(Order[i]).Append('-').Append(string.Join(',', list));
        }
        return sb.ToString();
    }
}

public sealed partial class EmulatorState
{
    private const long FirstFileId = 738964000003000000;
    private const long FirstBulkJobId = 738964000004000000;
    private const long FirstBulkRecordId = 738964000500000000;

    /// <summary>The user of the seed's job answers (created_by).</summary>
    internal const string BulkUserId = "4150868000000225013";

    private static readonly HttpClient CallbackClient = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Users an Owner column may name, as the shared (never mutated) lookup values stored in records.</summary>
    private static readonly Dictionary<string, OrderedDictionary<string, object?>> Users = new(StringComparer.Ordinal)
    {
        [BulkUserId] = Zoho.User(Zoho.UserName, BulkUserId),
        [Zoho.UserId] = Zoho.User(),
    };

    private static readonly OrderedDictionary<string, object?> BulkRecordUser = Zoho.User();

    private readonly Dictionary<string, UploadedFile> _uploads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BulkWriteJob> _bulkJobs = new(StringComparer.Ordinal);
    private readonly List<BulkWriteJob> _bulkJobOrder = new();
    private readonly Dictionary<(string Module, string Field), Dictionary<string, Record>> _uniqueIndexes = new();
    private readonly Lock _callbackGate = new();
    private readonly List<RecordedCallback> _callbacks = new();
    private JsonObject _seedBulkJob = null!;
    private long _lastFileId = FirstFileId;
    private long _lastBulkJobId = FirstBulkJobId;
    private long _lastBulkRecordId = FirstBulkRecordId;
    private int _uploadCount;

    private void SeedBulkWrite()
    {
        foreach (var id in SeedData.BulkWriteFileIds)
        {
            _uploads[id] = new UploadedFile(id, SeedData.BulkWriteFile(id), "2021-05-11T07:00:00+00:00");
        }
        _seedBulkJob = JsonNode.Parse(SeedData.BulkWriteJobBody)!.AsObject();
    }

    // ---------------------------------------------------------------- public API

    /// <summary>Successful uploads through the upload endpoint (the seed's pre-uploaded files not counted).</summary>
    public int UploadCount => Volatile.Read(ref _uploadCount);

    /// <summary>A copy of an uploaded ZIP (seed files included); null if unknown.</summary>
    public byte[]? GetUploadedFile(string fileId)
    {
        lock (_gate)
        {
            return _uploads.TryGetValue(fileId, out var f) ? (byte[])f.Bytes.Clone() : null;
        }
    }

    /// <summary>A bulk write job (the seed's INPROGRESS job too); null if unknown.</summary>
    public BulkWriteJobSnapshot? GetBulkWriteJob(string jobId)
    {
        if (jobId == SeedData.BulkWriteJobId)
        {
            return new BulkWriteJobSnapshot(jobId, "Leads", "insert", BulkWriteJob.InProgress, "", 0, 0, 0, 0, null, true,
                "https://www.zoho.com/in/crm/");
        }
        lock (_gate)
        {
            return _bulkJobs.TryGetValue(jobId, out var j) ? SnapshotBulkJob(j) : null;
        }
    }

    /// <summary>Jobs created through the API, in creation order (not the seed's job).</summary>
    public IReadOnlyList<BulkWriteJobSnapshot> GetBulkWriteJobs()
    {
        lock (_gate)
        {
            return _bulkJobOrder.Select(SnapshotBulkJob).ToArray();
        }
    }

    /// <summary>Snapshot copy, in order: every bulk write callback, sent or not.</summary>
    public IReadOnlyList<RecordedCallback> Callbacks
    {
        get
        {
            lock (_callbackGate)
            {
                return _callbacks.ToArray();
            }
        }
    }

    private BulkWriteJobSnapshot SnapshotBulkJob(BulkWriteJob j) =>
        new(j.Id, j.Module.Schema.ApiName, j.Operation, SpellStatus(j.Status), j.FileId, j.TotalCount,
            j.AddedCount, j.UpdatedCount, j.SkippedCount, j.FindBy, j.IgnoreEmpty, j.CallbackUrl);

    private string SpellStatus(string status) =>
        status == BulkWriteJob.InProgress && Options.InProgressWithSpace ? "IN PROGRESS" : status;

    // ---------------------------------------------------------------- uploads and jobs

    internal UploadedFile StoreUpload(byte[] bytes)
    {
        var file = new UploadedFile(Interlocked.Increment(ref _lastFileId).ToString(CultureInfo.InvariantCulture), bytes, Zoho.Now());
        lock (_gate)
        {
            _uploads.Add(file.Id, file);
        }
        Interlocked.Increment(ref _uploadCount);
        return file;
    }

    /// <summary>Null if unknown.</summary>
    internal (byte[] Bytes, bool Used)? FindUpload(string fileId)
    {
        lock (_gate)
        {
            return _uploads.TryGetValue(fileId, out var f) ? (f.Bytes, f.Used) : null;
        }
    }

    internal string NextBulkJobId() => Interlocked.Increment(ref _lastBulkJobId).ToString(CultureInfo.InvariantCulture);

    /// <summary>Marks the file used and starts the job; false if another job took the file meanwhile.</summary>
    internal bool StartBulkJob(BulkWriteJob job)
    {
        lock (_gate)
        {
            if (!_uploads.TryGetValue(job.FileId, out var file) || file.Used)
            {
                return false;
            }
            file.Used = true;
            _bulkJobs.Add(job.Id, job);
            _bulkJobOrder.Add(job);
            _jobTasks.RemoveAll(t => t.IsCompleted);
            _jobTasks.Add(Task.Run(() => RunBulkJobAsync(job, _shutdown.Token)));
            return true;
        }
    }

    /// <summary>The job details answer; null if unknown.</summary>
    internal JsonObject? BulkJobDetails(string jobId)
    {
        if (jobId == SeedData.BulkWriteJobId)
        {
            return _seedBulkJob.DeepClone().AsObject();
        }
        lock (_gate)
        {
            return _bulkJobs.TryGetValue(jobId, out var j) ? BulkJobDetails(j, j.Status) : null;
        }
    }

    /// <summary>The result ZIP of a finished job; null if unknown or not finished.</summary>
    internal byte[]? BulkJobResult(string jobId)
    {
        lock (_gate)
        {
            return _bulkJobs.TryGetValue(jobId, out var j) ? j.Result : null;
        }
    }

    internal string BulkDownloadPath(string jobId) => $"/v2/crm/{Zgid}/bulk-write/{jobId}/{jobId}.zip";

    internal const string Zgid = "738964001";

    /// <summary>Caller holds the lock.</summary>
    private JsonObject BulkJobDetails(BulkWriteJob j, string status)
    {
        var s = SpellStatus(status);
        var resource = new JsonObject
        {
            ["status"] = s,
            ["type"] = "data",
            ["module"] = j.Module.Schema.ApiName,
            ["field_mappings"] = j.FieldMappings.DeepClone(),
        };
        if (j.FindBy is not null)
        {
            resource["find_by"] = j.FindBy;
        }
        resource["file"] = new JsonObject
        {
            ["status"] = s,
            ["name"] = j.FileId + ".csv",
            ["added_count"] = j.AddedCount,
            ["skipped_count"] = j.SkippedCount,
            ["updated_count"] = j.UpdatedCount,
            ["total_count"] = j.TotalCount,
        };
        resource["code"] = s;

        var o = new JsonObject
        {
            ["status"] = s,
            ["resource"] = new JsonArray(resource),
            ["id"] = j.Id,
        };
        if (j.CallbackUrl is not null)
        {
            o["callback"] = new JsonObject { ["url"] = j.CallbackUrl, ["method"] = j.CallbackMethod ?? "post" };
        }
        o["created_by"] = new JsonObject { ["id"] = BulkUserId, ["name"] = Zoho.UserName };
        o["ignore_empty"] = j.IgnoreEmpty;
        o["operation"] = j.Operation;
        o["created_time"] = j.CreatedTime;
        if (status == BulkWriteJob.Completed)
        {
            var path = BulkDownloadPath(j.Id);
            o["result"] = new JsonObject { ["download_url"] = Options.RelativeDownloadUrl ? path : ApiDomain + path };
        }
        return o;
    }

    // ---------------------------------------------------------------- job loop

    private async Task RunBulkJobAsync(BulkWriteJob job, CancellationToken ct)
    {
        using var resultStream = new MemoryStream();
        ZipArchive? resultZip = null;
        StreamWriter? resultWriter = null;
        var finalStatus = BulkWriteJob.Completed;
        try
        {
            await Task.Delay(Options.BulkStepDelay, ct).ConfigureAwait(false);
            lock (_gate)
            {
                job.Status = BulkWriteJob.InProgress;
            }

            resultZip = new ZipArchive(resultStream, ZipArchiveMode.Create, leaveOpen: true);
            resultWriter = new StreamWriter(resultZip.CreateEntry(job.Id + ".csv").Open(), new UTF8Encoding(false), 64 * 1024);
            CsvWriter.WriteRow(resultWriter, [.. job.ResultHeader, "STATUS", "RECORD_ID", "ERRORS"]);

            using var input = OpenBulkCsv(job);
            input.ReadRow(); // header
            var perStep = Math.Max(1, Options.BulkRowsPerStep);
            var rows = new List<string[]>(Math.Min(perStep, ZohoLimits.BulkWriteRowsPerFile));
            var results = new List<BulkRowResult>(rows.Capacity);
            try
            {
                var done = false;
                while (!done)
                {
                    await Task.Delay(Options.BulkStepDelay, ct).ConfigureAwait(false);
                    rows.Clear();
                    while (rows.Count < perStep)
                    {
                        if (input.ReadRow() is not { } row)
                        {
                            done = true;
                            break;
                        }
                        rows.Add(row);
                    }
                    lock (_gate)
                    {
                        var now = Zoho.Now();
                        foreach (var row in rows)
                        {
                            var r = ProcessBulkRow(job, row, now);
                            switch (r.Status)
                            {
                                case "added": job.AddedCount++; break;
                                case "updated": job.UpdatedCount++; break;
                                default: job.SkippedCount++; break;
                            }
                            job.Processed++;
                            results.Add(r);
                        }
                        done |= job.Processed >= job.TotalCount;
                    }
                    WriteResults(resultWriter, job, rows, results);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                finalStatus = BulkWriteJob.Failed;
                WriteResults(resultWriter, job, rows, results); // the rows of the failed step processed so far
                WriteUnprocessed(resultWriter, job);
            }
        }
        catch (OperationCanceledException)
        {
            resultWriter?.Dispose();
            resultZip?.Dispose();
            return; // host disposed
        }
        catch (Exception)
        {
            finalStatus = BulkWriteJob.Failed;
        }

        try
        {
            resultWriter?.Dispose();
            resultZip?.Dispose();
            await FinishBulkJobAsync(job, finalStatus, resultZip is null ? null : resultStream.ToArray(), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // host disposed
        }
    }

    private static CsvReader OpenBulkCsv(BulkWriteJob job)
    {
        var zip = new ZipArchive(new MemoryStream(job.FileBytes, writable: false), ZipArchiveMode.Read);
        var stream = zip.GetEntry(job.CsvEntry)!.Open();
        return CsvReader.Open(new OwningStream(stream, zip), job.Delimiter, job.Encoding);
    }

    /// <summary>Writes the results collected so far (in row order) and forgets them.</summary>
    private static void WriteResults(TextWriter w, BulkWriteJob job, List<string[]> rows, List<BulkRowResult> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            WriteResultRow(w, job, rows[i], results[i]);
        }
        results.Clear();
    }

    private static void WriteResultRow(TextWriter w, BulkWriteJob job, string[] row, BulkRowResult r)
    {
        foreach (var i in job.ResultColumns)
        {
            CsvWriter.WriteField(w, i < row.Length ? row[i] : "");
            w.Write(',');
        }
        w.Write(r.Status);
        w.Write(',');
        w.Write(r.RecordId);
        w.Write(',');
        CsvWriter.WriteField(w, r.Errors);
        w.Write("\r\n");
    }

    /// <summary>After a failure: every row not processed yet comes back as "unprocessed" (best effort).</summary>
    private static void WriteUnprocessed(TextWriter w, BulkWriteJob job)
    {
        try
        {
            using var input = OpenBulkCsv(job);
            input.Skip(job.Processed + 1); // header + processed rows (only this job's loop changes Processed)
            while (input.ReadRow() is { } row)
            {
                WriteResultRow(w, job, row, new BulkRowResult("unprocessed", "", ""));
            }
        }
        catch (Exception)
        {
            // the input itself is broken: the result holds what was processed
        }
    }

    /// <summary>
    /// Shows the final status with the result. A callback to a URL that is not loopback is only recorded, in the same
    /// step (whoever sees COMPLETED also sees it); a loopback one is posted afterwards (the receiver may answer only
    /// once it has seen the job finish) and recorded with its answer.
    /// </summary>
    private async Task FinishBulkJobAsync(BulkWriteJob job, string status, byte[]? result, CancellationToken ct)
    {
        string? body = null;
        var url = job.CallbackUrl;
        var loopback = url is not null && IsLoopbackUrl(url);
        lock (_gate)
        {
            job.Result = result;
            if (url is not null)
            {
                body = Json.Serialize(BulkJobDetails(job, status));
                if (!loopback)
                {
                    AddCallback(new RecordedCallback(DateTimeOffset.UtcNow, job.Id, url, body, false, null,
                        "not sent: the emulator only calls back loopback URLs"));
                }
            }
            job.Status = status;
        }
        if (!loopback || url is null || body is null)
        {
            return;
        }
        RecordedCallback callback;
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await CallbackClient.PostAsync(url, content, ct).ConfigureAwait(false);
            callback = new RecordedCallback(DateTimeOffset.UtcNow, job.Id, url, body, true, (int)response.StatusCode, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            callback = new RecordedCallback(DateTimeOffset.UtcNow, job.Id, url, body, false, null, e.Message);
        }
        AddCallback(callback);
    }

    private void AddCallback(RecordedCallback callback)
    {
        lock (_callbackGate)
        {
            _callbacks.Add(callback);
        }
    }

    internal static bool IsLoopbackUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    // ---------------------------------------------------------------- rows

    /// <summary>Applies one CSV row (caller holds the lock).</summary>
    private BulkRowResult ProcessBulkRow(BulkWriteJob job, string[] row, string now)
    {
        var errors = new BulkRowErrors();
        Record? match = null;
        if (job.FindBy is { } findBy)
        {
            var key = job.FindColumn is { } fc ? Cell(fc, row) : "";
            if (key.Length > 0)
            {
                match = FindBulkRecord(job.Module, findBy, job.FindColumn!.Field, key);
            }
        }

        switch (job.Operation)
        {
            case "update":
                if (match is null)
                {
                    errors.Add("RESOURCE_NOT_FOUND", job.FindBy!);
                    return new BulkRowResult("skipped", "", errors.ToString());
                }
                return UpdateBulkRecord(job, match, row, now, errors);
            case "upsert":
                return match is null ? InsertBulkRecord(job, row, now, errors) : UpdateBulkRecord(job, match, row, now, errors);
            default:
                if (match is not null)
                {
                    errors.Add("DUPLICATE_DATA", job.FindBy!);
                }
                return InsertBulkRecord(job, row, now, errors);
        }
    }

    private static string Cell(BulkColumn column, string[] row)
    {
        var v = column.Index >= 0 && column.Index < row.Length ? row[column.Index] : "";
        return v.Length == 0 && column.Default is { } d ? d : v;
    }

    internal bool IsBulkMandatory(ModuleSchema module, FieldSchema field) =>
        field.Mandatory || (Options.LeadsOwnerMandatory && module.ApiName == "Leads" && field.ApiName == "Owner");

    private BulkRowResult InsertBulkRecord(BulkWriteJob job, string[] row, string now, BulkRowErrors errors)
    {
        var schema = job.Module.Schema;
        var values = new Dictionary<string, object?>(job.Columns.Count, StringComparer.Ordinal);
        foreach (var column in job.Columns)
        {
            if (column.Field is not { } field)
            {
                continue; // "id" is never written
            }
            var cell = Cell(column, row);
            if (cell.Length == 0)
            {
                if (field.Type != FieldType.Lookup || field.ApiName != "Owner")
                {
                    values[field.ApiName] = null;
                }
                else
                {
                    values.Remove(field.ApiName);
                }
                continue;
            }
            if (TryParseCell(field, cell, column.Format, out var value))
            {
                values[field.ApiName] = value;
            }
            else
            {
                errors.Add("INVALID_DATA", field.ApiName);
                values.Remove(field.ApiName);
            }
        }
        foreach (var field in schema.Fields)
        {
            if (IsBulkMandatory(schema, field) && !errors.Has("INVALID_DATA", field.ApiName)
                && (!values.TryGetValue(field.ApiName, out var v) || v is null || (v is string s && string.IsNullOrWhiteSpace(s))))
            {
                errors.Add("MANDATORY_NOT_FOUND", field.ApiName);
            }
        }
        foreach (var field in schema.Fields)
        {
            if (field.Unique && values.TryGetValue(field.ApiName, out var v) && v is not null
                && FindUnique(job.Module, field.ApiName, IndexKey(v)) is not null)
            {
                errors.Add("DUPLICATE_DATA", field.ApiName);
            }
        }
        if (errors.Any)
        {
            return new BulkRowResult("skipped", "", errors.ToString());
        }

        var r = new Record(Interlocked.Increment(ref _lastBulkRecordId).ToString(CultureInfo.InvariantCulture));
        r.Fields.EnsureCapacity(schema.Fields.Count + 5);
        foreach (var f in schema.Fields)
        {
            r.Fields[f.ApiName] = values.TryGetValue(f.ApiName, out var v)
                ? v
                : f.Type switch
                {
                    FieldType.Boolean => false,
                    FieldType.MultiSelectPicklist => Array.Empty<string>(),
                    FieldType.Lookup when f.ApiName == "Owner" => BulkRecordUser,
                    _ => null,
                };
        }
        r.Fields["Created_Time"] = now;
        r.Fields["Created_By"] = BulkRecordUser;
        r.Fields["Modified_Time"] = now;
        r.Fields["Modified_By"] = BulkRecordUser;
        job.Module.Add(r);
        foreach (var f in schema.Fields)
        {
            if (f.Unique && r.Fields[f.ApiName] is { } v)
            {
                UniqueIndex(job.Module, f.ApiName)[IndexKey(v)] = r;
            }
        }
        return new BulkRowResult("added", r.Id, "");
    }

    private BulkRowResult UpdateBulkRecord(BulkWriteJob job, Record record, string[] row, string now, BulkRowErrors errors)
    {
        var schema = job.Module.Schema;
        var changes = new Dictionary<string, object?>(job.Columns.Count, StringComparer.Ordinal);
        foreach (var column in job.Columns)
        {
            if (column.Field is not { } field)
            {
                continue;
            }
            var cell = Cell(column, row);
            if (cell.Length == 0)
            {
                if (job.IgnoreEmpty)
                {
                    continue;
                }
                if (IsBulkMandatory(schema, field))
                {
                    errors.Add("MANDATORY_NOT_FOUND", field.ApiName);
                }
                changes[field.ApiName] = null;
                continue;
            }
            if (TryParseCell(field, cell, column.Format, out var value))
            {
                if (value is string s && string.IsNullOrWhiteSpace(s) && IsBulkMandatory(schema, field))
                {
                    errors.Add("MANDATORY_NOT_FOUND", field.ApiName);
                }
                changes[field.ApiName] = value;
            }
            else
            {
                errors.Add("INVALID_DATA", field.ApiName);
            }
        }
        foreach (var (name, v) in changes)
        {
            if (v is not null && schema.Field(name) is { Unique: true }
                && FindUnique(job.Module, name, IndexKey(v)) is { } other && other != record)
            {
                errors.Add("DUPLICATE_DATA", name);
            }
        }
        if (errors.Any)
        {
            return new BulkRowResult("skipped", "", errors.ToString());
        }

        foreach (var (name, v) in changes)
        {
            if (schema.Field(name) is { Unique: true })
            {
                var index = UniqueIndex(job.Module, name);
                if (record.Fields.GetValueOrDefault(name) is { } old && index.TryGetValue(IndexKey(old), out var holder) && holder == record)
                {
                    index.Remove(IndexKey(old));
                }
                if (v is not null)
                {
                    index[IndexKey(v)] = record;
                }
            }
            record.Fields[name] = v;
        }
        record.Fields["Modified_Time"] = now;
        record.Fields["Modified_By"] = BulkRecordUser;
        return new BulkRowResult("updated", record.Id, "");
    }

    /// <summary>find_by lookup: "id" or a unique field's value (caller holds the lock).</summary>
    private Record? FindBulkRecord(ModuleData module, string findBy, FieldSchema? field, string cell)
    {
        if (field is null)
        {
            return module.ById.GetValueOrDefault(cell);
        }
        if (!TryParseCell(field, cell, null, out var value) || value is null)
        {
            return null;
        }
        return FindUnique(module, findBy, IndexKey(value));
    }

    private Record? FindUnique(ModuleData module, string field, string key) =>
        UniqueIndex(module, field).TryGetValue(key, out var r)
        && r.Fields.GetValueOrDefault(field) is { } current && IndexKey(current) == key
            ? r
            : null;

    /// <summary>Value -> record of one unique field, built on first use, kept up to date by bulk writes.</summary>
    private Dictionary<string, Record> UniqueIndex(ModuleData module, string field)
    {
        var key = (module.Schema.ApiName, field);
        if (!_uniqueIndexes.TryGetValue(key, out var index))
        {
            index = new Dictionary<string, Record>(Math.Max(16, module.Records.Count), StringComparer.Ordinal);
            foreach (var r in module.Records)
            {
                if (r.Fields.GetValueOrDefault(field) is { } v)
                {
                    index.TryAdd(IndexKey(v), r);
                }
            }
            _uniqueIndexes[key] = index;
        }
        return index;
    }

    private static string IndexKey(object value) => value switch
    {
        string s => s,
        IReadOnlyDictionary<string, object?> d when d.TryGetValue("id", out var id) => Convert.ToString(id, CultureInfo.InvariantCulture) ?? "",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Turns a CSV cell into the stored value of the field; false for a bad value.</summary>
    internal static bool TryParseCell(FieldSchema field, string cell, string? format, out object? value)
    {
        value = null;
        switch (field.Type)
        {
            case FieldType.Integer:
                if (!long.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
                {
                    return false;
                }
                value = l;
                return true;
            case FieldType.Double or FieldType.Currency:
                if (!double.TryParse(cell, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var d)
                    || !double.IsFinite(d))
                {
                    return false;
                }
                value = d;
                return true;
            case FieldType.Boolean:
                if (cell.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    value = true;
                    return true;
                }
                if (cell.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    value = false;
                    return true;
                }
                return false;
            case FieldType.Date:
                if (!DateTime.TryParseExact(cell, DotNetFormat(format) ?? "MM/dd/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return false;
                }
                value = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return true;
            case FieldType.DateTime:
                if (!DateTimeOffset.TryParseExact(cell, DotNetFormat(format) ?? "MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt))
                {
                    return false;
                }
                value = Zoho.FormatTime(dt);
                return true;
            case FieldType.MultiSelectPicklist:
                value = cell.Split(';');
                return true;
            case FieldType.Lookup when field.ApiName == "Owner":
                if (!Users.TryGetValue(cell, out var user))
                {
                    return false;
                }
                value = user;
                return true;
            case FieldType.Lookup:
                value = new OrderedDictionary<string, object?>(StringComparer.Ordinal) { ["id"] = cell };
                return true;
            default:
                value = cell;
                return true;
        }
    }

    /// <summary>Zoho documents Java date patterns; the common letters mean the same in .NET except AM/PM and fractions.</summary>
    private static string? DotNetFormat(string? format)
    {
        if (string.IsNullOrEmpty(format))
        {
            return null;
        }
        var sb = new StringBuilder(format.Length + 4);
        var quoted = false;
        foreach (var c in format)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                sb.Append(c);
            }
            else if (!quoted && c == 'a')
            {
                sb.Append("tt");
            }
            else if (!quoted && c == 'S')
            {
                sb.Append('f');
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>A ZIP entry stream that also disposes its archive.</summary>
    private sealed class OwningStream(Stream inner, IDisposable owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
