using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm.BulkWrite
{
    /// <summary>What a create-job call sends, apart from the file.</summary>
    internal sealed class BulkWriteRequest
    {
        public string Module;
        public string Operation;
        public string FindBy;
        public bool IgnoreEmpty;
        public bool IgnoreEmptyGiven;
        public string CallbackUrl;
        public string CharacterEncoding;
        public List<FieldMappingSpec> FieldMappings;
    }

    /// <summary>Bulk write calls: upload a ZIP, create a job, read its details, wait, download and read the result.</summary>
    internal sealed partial class BulkWriteService
    {
        /// <summary>
        /// Zoho's download hosts: download(-accl).zoho.{com,eu,in,com.au,jp,com.cn,sa,uk} and download(-accl).zohocloud.ca
        /// (UK: Zoho Accounts lists the data center, zoho-api.md section 5; its download host follows the others' pattern).
        /// Whole string, case-sensitive: System.Uri gives the host in lower case, and IgnoreCase would let other
        /// characters (the Kelvin sign) match ASCII letters.
        /// </summary>
        private static readonly Regex ZohoDownloadHost = new Regex(@"\Adownload(-accl)?\.(zoho\.(com|eu|in|com\.au|jp|com\.cn|sa|uk)|zohocloud\.ca)\z", RegexOptions.CultureInvariant);
        private readonly Connection _connection;

        public BulkWriteService(Connection connection) { _connection = connection; }

        private Uri BulkUrl(string relative) => new Uri(_connection.ApiDomain + "/crm/bulk/" + _connection.ApiVersion + "/write" + relative);

        /// <summary>POST {upload host}/crm/{v}/upload, multipart part "file", with the feature and X-CRM-ORG headers.</summary>
        public async Task<string> UploadAsync(BulkChunk chunk, CancellationToken ct)
        {
            string org = await _connection.GetOrgIdAsync(ct).ConfigureAwait(false);
            var url = new Uri(_connection.UploadUrl + "/crm/" + _connection.ApiVersion + "/upload");
            var request = new ZohoRequest(HttpMethod.Post, url)
            {
                // An upload that is sent twice only leaves an unused file at Zoho: safe to repeat.
                Idempotent = true,
                Content = () =>
                {
                    var form = new MultipartFormDataContent();
                    var file = new StreamContent(new FileStream(chunk.ZipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
                    file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
                    form.Add(file, "file", Path.GetFileName(chunk.ZipPath));
                    return form;
                },
                Headers = { ["feature"] = "bulk-write", ["X-CRM-ORG"] = org },
            };
            var response = await _connection.Client.SendAsync(request, ct).ConfigureAwait(false);
            using (var doc = response.EnsureSuccess(otherError: root => UploadHostError(root, response)))
            {
                var root = doc.RootElement;
                var details = Json.GetObject(root, "details");
                string fileId = details.HasValue ? Json.GetString(details.Value, "file_id") : null;
                if (fileId == null) throw response.Unrecognised();
                return fileId;
            }
        }

        /// <summary>The upload host's own error shape: {"ERROR_CODE":401,"ERROR_MESSAGE":"..","x-error":".."}.</summary>
        private static ZohoApiException UploadHostError(JsonElement root, ZohoResponse response)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ERROR_CODE", out _)) return null;
            var details = new System.Collections.Hashtable();
            string hint = Json.GetString(root, "x-error");
            if (hint != null) details["x-error"] = hint;
            string code = Json.GetString(root, "ERROR_CODE");
            return new ZohoApiException("UPLOAD_" + (code ?? "ERROR"), Json.GetString(root, "ERROR_MESSAGE"), response.StatusCode, details, response.Request);
        }

        /// <summary>POST /crm/bulk/{v}/write. Not repeated after an unknown outcome: a second call would make a second job.</summary>
        public async Task<BulkWriteJob> CreateJobAsync(BulkWriteRequest r, string fileId, CancellationToken ct)
        {
            InputRules.RequireModuleName(r.Module, "Module");
            var body = Json.Body(w =>
            {
                w.WriteString("operation", r.Operation);
                if (r.IgnoreEmptyGiven) w.WriteBoolean("ignore_empty", r.IgnoreEmpty);
                if (r.CharacterEncoding != null) w.WriteString("character_encoding", r.CharacterEncoding);
                if (r.CallbackUrl != null)
                {
                    w.WriteStartObject("callback");
                    w.WriteString("url", r.CallbackUrl);
                    w.WriteString("method", "post");
                    w.WriteEndObject();
                }
                w.WriteStartArray("resource");
                w.WriteStartObject();
                w.WriteString("type", "data");
                w.WriteStartObject("module");
                w.WriteString("api_name", r.Module);
                w.WriteEndObject();
                w.WriteString("file_id", fileId);
                if (r.FindBy != null) w.WriteString("find_by", r.FindBy);
                if (r.FieldMappings != null)
                {
                    w.WriteStartArray("field_mappings");
                    foreach (var m in r.FieldMappings)
                    {
                        w.WriteStartObject();
                        w.WriteString("api_name", m.ApiName);
                        if (m.Index.HasValue) w.WriteNumber("index", m.Index.Value);
                        if (m.Format != null) w.WriteString("format", m.Format);
                        if (m.FindBy != null) w.WriteString("find_by", m.FindBy);
                        if (m.HasDefault)
                        {
                            w.WriteStartObject("default_value");
                            w.WritePropertyName("value");
                            Json.WriteValue(w, m.DefaultValue, m.ApiName);
                            w.WriteEndObject();
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteEndArray();
            });
            var request = new ZohoRequest(HttpMethod.Post, BulkUrl("")) { Content = body };
            var response = await _connection.Client.SendAsync(request, ct).ConfigureAwait(false);
            using (var doc = response.EnsureSuccess())
            {
                var root = doc.RootElement;
                var details = Json.GetObject(root, "details");
                string id = details.HasValue ? Json.GetString(details.Value, "id") : null;
                if (id == null) throw response.Unrecognised();
                var createdBy = Json.GetObject(details.Value, "created_by");
                return new BulkWriteJob
                {
                    JobId = id,
                    Module = r.Module,
                    Operation = r.Operation,
                    Status = "ADDED",
                    FileId = fileId,
                    FindBy = r.FindBy,
                    IgnoreEmpty = r.IgnoreEmptyGiven ? r.IgnoreEmpty : (bool?)null,
                    CallbackUrl = r.CallbackUrl,
                    CreatedBy = createdBy.HasValue ? Json.GetString(createdBy.Value, "name") : null,
                    CreatedById = createdBy.HasValue ? Json.GetString(createdBy.Value, "id") : null,
                    CreatedTime = DateTimeOffset.Now,
                };
            }
        }

        /// <summary>GET /crm/bulk/{v}/write/{id}: status, counts, the download URL when done, the field mappings.</summary>
        public async Task<BulkWriteJob> GetJobAsync(string jobId, CancellationToken ct)
        {
            var response = await _connection.Client.SendAsync(new ZohoRequest(HttpMethod.Get, BulkUrl("/" + Uri.EscapeDataString(InputRules.RequireZohoId(jobId, "JobId")))) { Idempotent = true }, ct).ConfigureAwait(false);
            using (var doc = response.EnsureSuccess())
            {
                var root = doc.RootElement;
                string status = Json.GetString(root, "status");
                if (status == null) throw response.Unrecognised();
                var job = new BulkWriteJob
                {
                    JobId = Json.GetString(root, "id") ?? jobId,
                    Status = NormaliseStatus(status),
                    Operation = Json.GetString(root, "operation"),
                    CharacterEncoding = Json.GetString(root, "character_encoding"),
                    CreatedTime = Json.GetDate(root, "created_time"),
                };
                if (root.TryGetProperty("ignore_empty", out var ie) && (ie.ValueKind == JsonValueKind.True || ie.ValueKind == JsonValueKind.False)) job.IgnoreEmpty = ie.GetBoolean();
                var cb = Json.GetObject(root, "created_by");
                if (cb.HasValue) { job.CreatedBy = Json.GetString(cb.Value, "name"); job.CreatedById = Json.GetString(cb.Value, "id"); }
                var callback = Json.GetObject(root, "callback");
                if (callback.HasValue) job.CallbackUrl = Json.GetString(callback.Value, "url");
                var result = Json.GetObject(root, "result");
                if (result.HasValue) job.DownloadUrl = Json.GetString(result.Value, "download_url");
                if (root.TryGetProperty("resource", out var resources) && resources.ValueKind == JsonValueKind.Array && resources.GetArrayLength() > 0)
                {
                    var res = resources[0];
                    job.Module = ModuleName(res);
                    job.FindBy = Json.GetString(res, "find_by");
                    var file = Json.GetObject(res, "file");
                    if (file.HasValue)
                    {
                        job.AddedCount = Json.GetInt64(file.Value, "added_count");
                        job.UpdatedCount = Json.GetInt64(file.Value, "updated_count");
                        job.SkippedCount = Json.GetInt64(file.Value, "skipped_count");
                        job.TotalCount = Json.GetInt64(file.Value, "total_count");
                    }
                    if (res.TryGetProperty("field_mappings", out var fm) && fm.ValueKind == JsonValueKind.Array)
                        job.FieldMappings = fm.EnumerateArray().Select(ToMapping).ToArray();
                }
                return job;
            }
        }

        private static string ModuleName(JsonElement resource)
        {
            if (!resource.TryGetProperty("module", out var m)) return null;
            return m.ValueKind == JsonValueKind.String ? m.GetString() : m.ValueKind == JsonValueKind.Object ? Json.GetString(m, "api_name") : null;
        }

        private static BulkWriteFieldMapping ToMapping(JsonElement e)
        {
            string defaultValue = null;
            if (e.TryGetProperty("default_value", out var dv) && dv.ValueKind == JsonValueKind.Object) defaultValue = Json.GetString(dv, "value");
            long? index = Json.GetInt64(e, "index");
            return new BulkWriteFieldMapping
            {
                ApiName = Json.GetString(e, "api_name"),
                Index = index.HasValue ? (int)index.Value : (int?)null,
                Format = Json.GetString(e, "format"),
                FindBy = Json.GetString(e, "find_by"),
                Module = Json.GetString(e, "module") ?? (e.TryGetProperty("module", out var mo) && mo.ValueKind == JsonValueKind.Object ? Json.GetString(mo, "api_name") : null),
                DefaultValue = defaultValue,
            };
        }

        /// <summary>Zoho's docs spell it both INPROGRESS and IN PROGRESS.</summary>
        internal static string NormaliseStatus(string status) => status.Trim().ToUpperInvariant().Replace(" ", "");

        /// <summary>Polls every job until each is COMPLETED, SKIPPED or FAILED; reports each poll. Throws on timeout.</summary>
        public Task<List<BulkWriteJob>> WaitAsync(IReadOnlyList<BulkWriteJob> jobs, TimeSpan? timeout, Action<IReadOnlyList<BulkWriteJob>> report, CancellationToken ct)
        {
            var current = jobs.ToList();
            return Polling.UntilAsync(async c =>
                {
                    for (int i = 0; i < current.Count; i++)
                        if (!current[i].IsFinished) current[i] = Merge(current[i], await GetJobAsync(current[i].JobId, c).ConfigureAwait(false));
                    return current;
                },
                all => all.All(j => j.IsFinished), report, timeout,
                all => new WaitTimeoutException(all.ToArray(),
                    $"Bulk write job(s) {string.Join(", ", all.Where(j => !j.IsFinished).Select(j => j.JobId))} still not finished after {timeout.Value.TotalSeconds:0} s. They go on in Zoho: check them later with Get-ZcrmBulkWriteJob -JobId <id> -Wait."),
                ct);
        }

        /// <summary>The fresh details, keeping what only the creator knows (rows, file id).</summary>
        internal static BulkWriteJob Merge(BulkWriteJob known, BulkWriteJob fresh)
        {
            fresh.FirstRow = known.FirstRow ?? fresh.FirstRow;
            fresh.LastRow = known.LastRow ?? fresh.LastRow;
            fresh.RowCount = known.RowCount ?? fresh.RowCount;
            fresh.FileId = known.FileId ?? fresh.FileId;
            fresh.SourcePath = known.SourcePath ?? fresh.SourcePath;
            fresh.InputFile = known.InputFile ?? fresh.InputFile;
            fresh.InputColumns = known.InputColumns ?? fresh.InputColumns;
            fresh.RunPath = known.RunPath ?? fresh.RunPath;
            fresh.Module = fresh.Module ?? known.Module;
            fresh.Operation = fresh.Operation ?? known.Operation;
            fresh.FindBy = fresh.FindBy ?? known.FindBy;
            fresh.CallbackUrl = fresh.CallbackUrl ?? known.CallbackUrl;
            fresh.CharacterEncoding = fresh.CharacterEncoding ?? known.CharacterEncoding;
            fresh.IgnoreEmpty = fresh.IgnoreEmpty ?? known.IgnoreEmpty;
            fresh.CreatedBy = fresh.CreatedBy ?? known.CreatedBy;
            fresh.CreatedById = fresh.CreatedById ?? known.CreatedById;
            return fresh;
        }
    }
}
